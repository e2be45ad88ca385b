// lintelctl's command line without a daemon: usage errors exit 2, help and version exit 0,
// a missing daemon exits 69 with the message operators see.
#include "ctl/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ctl/client.hpp"
#include "support/files.hpp"

namespace lintel::ctl {
namespace {

struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

Run run_ctl(std::vector<const char*> args) {
    args.insert(args.begin(), "lintelctl");
    std::ostringstream out, err;
    Run r;
    r.code = run(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

TEST(ControlCli, UsageErrorsExit2) {
    for (const auto& args : std::vector<std::vector<const char*>>{{},
                                                                  {"frobnicate"},
                                                                  {"config"},
                                                                  {"config", "apply"},
                                                                  {"log-level"},
                                                                  {"log-level", "verbose"},
                                                                  {"audit", "--limit", "0"},
                                                                  {"audit", "--limit", "10001"},
                                                                  {"audit", "--limit", "x"},
                                                                  {"status", "extra"},
                                                                  {"--bogus", "status"},
                                                                  {"status", "queue"}}) {
        const auto r = run_ctl(args);
        std::string joined;
        for (auto a : args) joined += std::string(a) + " ";
        EXPECT_EQ(r.code, k_exit_usage) << joined << "\n" << r.err;
        EXPECT_TRUE(r.out.empty()) << joined << r.out;
        EXPECT_FALSE(r.err.empty()) << joined;
    }
}

TEST(ControlCli, BadDurationsAreUsageErrors) {
    test::TempDir dir{"lintel-ctl-cli"};
    const std::string sock = (dir / "none.sock").string();
    auto r = run_ctl({"--socket", sock.c_str(), "--timeout", "soon", "status"});
    EXPECT_EQ(r.code, k_exit_usage);
    EXPECT_EQ(r.err,
              "lintelctl: --timeout: \"soon\" is not a duration (examples: 500ms, 5s, 15m, "
              "1h30m, 2d)\n");
    r = run_ctl({"--socket", sock.c_str(), "--timeout", "0s", "status"});
    EXPECT_EQ(r.code, k_exit_usage);
    r = run_ctl({"--socket", sock.c_str(), "audit", "--since", "tuesday"});
    EXPECT_EQ(r.code, k_exit_usage);
    EXPECT_NE(r.err.find("--since \"tuesday\" is neither a duration"), std::string::npos) << r.err;
}

TEST(ControlCli, HelpAndVersionExit0) {
    auto help = run_ctl({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("log-level"), std::string::npos);
    auto sub_help = run_ctl({"audit", "--help"});
    EXPECT_EQ(sub_help.code, 0);
    EXPECT_NE(sub_help.out.find("--since"), std::string::npos);
    auto version = run_ctl({"--version"});
    EXPECT_EQ(version.code, 0);
    EXPECT_EQ(version.out, "lintelctl " LINTEL_EXPECTED_VERSION "\n");
}

TEST(ControlCli, NoDaemonExits69WithThePath) {
    test::TempDir dir{"lintel-ctl-cli"};
    const std::string sock = (dir / "control.sock").string();
    for (auto options : {std::vector<const char*>{"--socket", sock.c_str(), "status"},
                         std::vector<const char*>{"status", "--socket", sock.c_str()},
                         std::vector<const char*>{"--json", "--socket", sock.c_str(), "queue"}}) {
        const auto r = run_ctl(options);
        EXPECT_EQ(r.code, k_exit_unavailable);
        EXPECT_EQ(r.err, "lintelctl: linteld is not running (no socket at " + sock + ")\n");
        EXPECT_TRUE(r.out.empty());
    }
}

TEST(ControlCli, ExitCodesByError) {
    EXPECT_EQ(exit_code_for(Error{"control.refused", "m"}), k_exit_noperm);
    EXPECT_EQ(exit_code_for(Error{"ctl.permission", "m"}), k_exit_noperm);
    EXPECT_EQ(exit_code_for(Error{"ctl.not_running", "m"}), k_exit_unavailable);
    EXPECT_EQ(exit_code_for(Error{"ctl.timeout", "m"}), k_exit_unavailable);
    EXPECT_EQ(exit_code_for(Error{"ctl.usage", "m"}), k_exit_usage);
    for (auto code : {"control.busy", "control.bad_args", "config.invalid", "ctl.io",
                      "ctl.bad_response", "control.timeout"}) {
        EXPECT_EQ(exit_code_for(Error{code, "m"}), k_exit_error) << code;
    }
    EXPECT_EQ(describe_error(Error{"control.refused", "uid 7 is not root"}),
              "permission denied: run as root or as a member of group lintel-admin (linteld: uid "
              "7 is not root)");
    EXPECT_EQ(describe_error(Error{"config.invalid", "lintel.yaml:3:1: bad"}),
              "lintel.yaml:3:1: bad (config.invalid)");
    EXPECT_EQ(describe_error(Error{"ctl.timeout", "linteld did not answer"}),
              "linteld did not answer");
}

}  // namespace
}  // namespace lintel::ctl
