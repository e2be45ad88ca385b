// Every shipped systemd unit: systemd-analyze verify is clean, each service's sandbox scores at
// most 1.5 exposure (systemd-analyze security --offline), and the settings the security model
// rests on stay in place.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "support/process.hpp"
#include "support/watchdog.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path k_units = fs::path(LINTEL_SOURCE_DIR) / "systemd";
const std::string k_daemon_unit = "lintel.service";
const std::string k_control_socket = "lintel-control.socket";
const std::string k_socket_unit = "lintel-helper.socket";
const std::string k_service_unit = "lintel-helper@.service";
const std::string k_recover_unit = "lintel-ota-recover.service";
const std::vector<std::string> k_all_units{k_daemon_unit, k_control_socket, k_socket_unit,
                                           k_service_unit, k_recover_unit};
const std::vector<std::string> k_services{k_daemon_unit, k_service_unit, k_recover_unit};
const fs::path k_exec_start = "usr/libexec/lintel/lintel-helper";
// Where the package installs each program, and the built one to put there.
const std::vector<std::pair<fs::path, fs::path>> k_binaries{
    {"usr/sbin/linteld", LINTEL_DAEMON_BINARY},
    {k_exec_start, LINTEL_HELPER_BINARY},
};

struct ToolRun {
    std::string status;  // "exit 0"
    std::string out;
    std::string err;
};

// The package's man pages laid out as a MANPATH: verify checks each Documentation=man:... with
// man(1), so the units' references must resolve to pages we ship.
fs::path make_manpath(const TempDir& dir) {
    const fs::path out = dir / "man";
    for (const auto& page : fs::directory_iterator(fs::path(LINTEL_SOURCE_DIR) / "packaging/man")) {
        const std::string ext = page.path().extension().string();  // ".8"
        if (ext.size() != 2 || !std::isdigit(static_cast<unsigned char>(ext[1]))) continue;
        fs::create_directories(out / ("man" + ext.substr(1)));
        fs::copy_file(page.path(), out / ("man" + ext.substr(1)) / page.path().filename(),
                      fs::copy_options::overwrite_existing);
    }
    return out;
}

ToolRun run_tool(const TempDir& dir, std::vector<std::string> argv) {
    auto p = Process::spawn(ProcessOptions::of(std::move(argv))
                                .with_env("MANPATH", make_manpath(dir).string())
                                .with_stdout(Output::to_file(dir / "out.txt"))
                                .with_stderr(Output::to_file(dir / "err.txt")));
    if (!p) return {p.error().message + " (systemd-analyze is in Debian's systemd)", "", ""};
    auto status = p->wait_exit(60s);
    ToolRun r;
    r.status = status ? status->describe() : "hung";
    r.out = read_file(dir / "out.txt").value_or("");
    r.err = read_file(dir / "err.txt").value_or("");
    return r;
}

// A root for `verify --root`: the host's vendor units (sysinit.target and friends), our units
// where the package installs them, and, unless told otherwise, the built programs at their
// ExecStart paths (verify fails on a missing binary).
void make_root(const fs::path& root, bool with_binary) {
    const fs::path unit_dir = root / "usr/lib/systemd/system";
    fs::create_directories(unit_dir);
    fs::copy("/usr/lib/systemd/system", unit_dir,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks |
                 fs::copy_options::overwrite_existing);
    for (const auto& unit : k_all_units) {
        fs::copy_file(k_units / unit, unit_dir / unit, fs::copy_options::overwrite_existing);
    }
    // ExecReload=/bin/kill: procps, which the package depends on; ExecStartPost=/bin/systemctl
    // (lintel-ota-recover.service): systemd.
    fs::create_directories(root / "bin");
    fs::copy_file("/bin/kill", root / "bin/kill");
    fs::copy_file("/bin/systemctl", root / "bin/systemctl");
    if (!with_binary) return;
    for (const auto& [where, built] : k_binaries) {
        fs::create_directories((root / where).parent_path());
        fs::copy_file(built, root / where);
        fs::permissions(root / where, fs::perms(0755));
    }
}

std::vector<std::string> lines_mentioning(const std::string& text, const std::string& needle) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.find(needle) != std::string::npos) out.push_back(line);
    }
    return out;
}

// How many lines are exactly `setting` (comments mention settings too).
std::size_t count_setting(const std::string& text, const std::string& setting) {
    std::size_t n = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line == setting) ++n;
    return n;
}

std::vector<std::string> verify_command(const fs::path& root) {
    std::vector<std::string> argv{"systemd-analyze", "verify", "--root=" + root.string()};
    argv.insert(argv.end(), k_all_units.begin(), k_all_units.end());
    return argv;
}

TEST(Units, VerifyIsClean) {
    TestWatchdog dog(120s);
    TempDir dir("lintel-units");
    make_root(dir / "root", true);
    const ToolRun r = run_tool(dir, verify_command(dir / "root"));
    EXPECT_EQ(r.status, "exit 0") << r.out << r.err;
    // Unknown keys and the like are warnings only, with exit 0: no line may name our units.
    EXPECT_EQ(lines_mentioning(r.out + r.err, "lintel"), std::vector<std::string>{})
        << r.out << r.err;
}

TEST(Units, VerifyWouldNoticeAMissingBinary) {
    // Guards the test above: the root really is what verify checks.
    TestWatchdog dog(120s);
    TempDir dir("lintel-units");
    make_root(dir / "root", false);
    const ToolRun r = run_tool(dir, verify_command(dir / "root"));
    EXPECT_NE(r.status, "exit 0");
    EXPECT_NE((r.out + r.err).find("/usr/sbin/linteld is not executable"), std::string::npos)
        << r.out << r.err;
    EXPECT_NE((r.out + r.err).find("/usr/libexec/lintel/lintel-helper is not executable"),
              std::string::npos)
        << r.out << r.err;
}

TEST(Units, EveryServiceExposureAtMostOnePointFive) {
    TestWatchdog dog(120s);
    TempDir dir("lintel-units");
    for (const auto& unit : k_services) {
        SCOPED_TRACE(unit);
        // --threshold is on a 0-100 scale: 15 means an exposure of 1.5.
        const ToolRun r = run_tool(dir, {"systemd-analyze", "security", "--offline=yes",
                                         "--threshold=15", (k_units / unit).string()});
        std::smatch m;
        const std::regex overall(R"(Overall exposure level for \S+: (\d+\.\d+))");
        ASSERT_TRUE(std::regex_search(r.out, m, overall)) << r.status << "\n" << r.out << r.err;
        const double exposure = std::stod(m[1]);
        std::cout << unit << " exposure: " << m[1] << "\n";
        ::testing::Test::RecordProperty(unit + " exposure", m[1].str());
        EXPECT_LE(exposure, 1.5) << r.out;
        EXPECT_EQ(r.status, "exit 0") << r.out << r.err;
    }
}

TEST(Units, DaemonUnitKeepsItsLifecycleAndIdentity) {
    auto text = read_file(k_units / k_daemon_unit);
    ASSERT_TRUE(text) << text.error().message;
    for (auto line :
         {"Type=notify", "NotifyAccess=main",
          "ExecStart=/usr/sbin/linteld --config /etc/lintel/lintel.yaml",
          "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "RestartPreventExitStatus=78",
          "User=lintel", "Group=lintel", "StateDirectory=lintel", "RuntimeDirectory=lintel",
          "ConfigurationDirectory=lintel", "CapabilityBoundingSet=", "NoNewPrivileges=yes",
          "ProtectSystem=strict", "PrivateDevices=yes", "WantedBy=multi-user.target",
          // A linteld that never comes up after updating itself: failed after the start limit,
          // and the recovery unit rolls the pending update back.
          "OnFailure=lintel-ota-recover.service", "StartLimitIntervalSec=2min",
          "StartLimitBurst=5"}) {
        EXPECT_EQ(count_setting(*text, line), 1u) << line;
    }
    EXPECT_NE(text->find("\nWatchdogSec="), std::string::npos);
    // RestartPreventExitStatus= does not cover ExecStartPre=: a config pre-check there would
    // restart an invalid configuration every RestartSec forever (linteld checks it itself).
    EXPECT_EQ(text->find("\nExecStartPre="), std::string::npos);
}

TEST(Units, ControlSocketKeepsItsAccessRules) {
    auto text = read_file(k_units / k_control_socket);
    ASSERT_TRUE(text) << text.error().message;
    for (auto line : {"ListenStream=/run/lintel/control.sock", "FileDescriptorName=control",
                      "Service=lintel.service", "SocketGroup=lintel-admin", "SocketMode=0660",
                      "PartOf=lintel.service"}) {
        EXPECT_EQ(count_setting(*text, line), 1u) << line;
    }
    // Never enabled on its own: it would start a stopped daemon on the first lintelctl.
    EXPECT_EQ(text->find("\n[Install]"), std::string::npos);
    auto daemon = read_file(k_units / k_daemon_unit);
    ASSERT_TRUE(daemon);
    // PrivateUsers= would show every local peer but root and lintel as uid 65534.
    EXPECT_EQ(count_setting(*daemon, "PrivateUsers=yes"), 0u);
    EXPECT_EQ(count_setting(*daemon, "RuntimeDirectoryMode=0751"), 1u);
}

TEST(Units, HelperSocketKeepsItsAccessRules) {
    // verify cannot tell 0660 from 0666; these lines are the first half of the security model.
    auto text = read_file(k_units / k_socket_unit);
    ASSERT_TRUE(text) << text.error().message;
    for (auto line :
         {"ListenStream=/run/lintel-helper.sock", "SocketUser=root", "SocketGroup=lintel",
          "SocketMode=0660", "Accept=yes", "MaxConnections=4", "WantedBy=sockets.target"}) {
        EXPECT_EQ(count_setting(*text, line), 1u) << line;
    }
    auto service = read_file(k_units / k_service_unit);
    ASSERT_TRUE(service) << service.error().message;
    EXPECT_EQ(count_setting(*service, "ExecStart=/" + k_exec_start.string()), 1u);
    // PrivateUsers= would map the lintel uid to nobody inside the helper and break SO_PEERCRED.
    EXPECT_EQ(count_setting(*service, "PrivateUsers=yes"), 0u);
    // The relaxations for write-config and the ota-* actions (docs/helper.md, "Sandbox"): these
    // writable trees, these capabilities, chown/setuid calls back; the credentials out of reach.
    for (auto line :
         {"ProtectSystem=strict", "ReadWritePaths=/usr /etc /var",
          "InaccessiblePaths=-/etc/lintel/pki",
          "CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID "
          "CAP_SETUID CAP_SETGID",
          "AmbientCapabilities=", "NoNewPrivileges=yes", "RestrictSUIDSGID=yes",
          "SystemCallFilter=~@privileged @resources", "SystemCallFilter=@chown @setuid",
          "StateDirectory=lintel-helper", "StateDirectoryMode=0700", "RuntimeMaxSec=1900"}) {
        EXPECT_EQ(count_setting(*service, line), 1u) << line;
    }
    std::size_t writable = 0;
    std::istringstream lines(*service);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("ReadWritePaths=")) ++writable;
    }
    EXPECT_EQ(writable, 1u) << "a new writable path needs its own reason and test";
}

TEST(Units, RecoveryUnitRollsBackOnceThenStartsLinteldAgain) {
    auto text = read_file(k_units / k_recover_unit);
    ASSERT_TRUE(text) << text.error().message;
    // ExecCondition= skips the unit unless a pending install awaits its one recovery: a linteld
    // that fails for another reason is not restarted in a loop.
    for (auto line :
         {std::string("Type=oneshot"), std::string("User=root"),
          "ExecCondition=/" + k_exec_start.string() + " --ota-recover-check lintel",
          "ExecStart=/" + k_exec_start.string() + " --ota-recover lintel",
          std::string("ExecStartPost=/bin/systemctl reset-failed lintel.service"),
          std::string("ExecStartPost=/bin/systemctl --no-block start lintel.service")}) {
        EXPECT_EQ(count_setting(*text, line), 1u) << line;
    }
    // The rollback runs dpkg as the helper does: the same sandbox, no wider.
    auto helper = read_file(k_units / k_service_unit);
    ASSERT_TRUE(helper);
    for (auto line : {"ProtectSystem=strict", "ReadWritePaths=/usr /etc /var",
                      "InaccessiblePaths=-/etc/lintel/pki",
                      "CapabilityBoundingSet=CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID "
                      "CAP_SETUID CAP_SETGID",
                      "NoNewPrivileges=yes", "RestrictSUIDSGID=yes", "PrivateNetwork=yes",
                      "RestrictAddressFamilies=AF_UNIX", "SystemCallFilter=~@privileged @resources",
                      "SystemCallFilter=@chown @setuid", "StateDirectory=lintel-helper"}) {
        EXPECT_EQ(count_setting(*text, line), 1u) << line;
        EXPECT_EQ(count_setting(*helper, line), 1u) << line;
    }
    // No [Install]: only lintel.service's failure starts it.
    EXPECT_EQ(text->find("\n[Install]"), std::string::npos);
}

}  // namespace
}  // namespace lintel::test
