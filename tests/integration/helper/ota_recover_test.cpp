// ota-reboot runs the configured command (a script that records its call), and
// lintel-helper --ota-recover / --ota-recover-check, the real binary run the way
// lintel-ota-recover.service runs it, against the deb handler in a throwaway root: a pending
// install is rolled back once, never twice, and nothing happens when nothing is pending.
#include <gtest/gtest.h>

#include "ota_deb_fixture.hpp"
#include "support/files.hpp"

namespace lintel::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class OtaReboot : public OtaFixture {
protected:
    void SetUp() override {
        OtaFixture::SetUp();
        // Records its arguments and environment; exits with the code in `exit_code` if present.
        ASSERT_TRUE(write_file(dir_ / "reboot.sh",
                               "#!/bin/sh\necho \"$* PATH=$PATH\" >> \"" + calls().string() +
                                   "\"\ncode=$(cat \"" + (dir_ / "exit_code").string() +
                                   "\" 2>/dev/null || echo 0)\necho \"no reboot today\" >&2\n"
                                   "exit \"$code\"\n",
                               0755));
        start_ota_helper({}, {"--reboot-command", (dir_ / "reboot.sh").string() + " now  please"});
    }
    fs::path calls() const { return dir_ / "reboot.calls"; }
};

TEST_F(OtaReboot, RunsTheConfiguredCommandAndLogsIt) {
    auto r = request("ota-reboot", json::object());
    ASSERT_TRUE(r) << describe(r);
    EXPECT_EQ(r->at("reboot"), "requested");
    EXPECT_EQ(r->at("command"), (dir_ / "reboot.sh").string() + " now please");
    EXPECT_EQ(read_file(calls()).value_or(""), "now please PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
    EXPECT_TRUE(wait_for_log("ota-reboot: rebooting for uid 0: running "));
    EXPECT_TRUE(wait_for_log("action=\"ota-reboot\" outcome=ok"));
}

TEST_F(OtaReboot, AFailingCommandIsRebootFailedAndParamsAreRefused) {
    ASSERT_TRUE(write_file(dir_ / "exit_code", "3\n"));
    auto failed = request("ota-reboot", json::object());
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, "ota.reboot_failed");
    EXPECT_NE(failed.error().message.find("exited 3: \"no reboot today\""), std::string::npos)
        << failed.error().message;
    auto with_params = request("ota-reboot", {{"when", "now"}});
    ASSERT_FALSE(with_params);
    EXPECT_EQ(with_params.error().code, "helper.bad_params");
    EXPECT_EQ(read_file(calls()).value_or(""), "now please PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
}

class OtaRecover : public OtaDeb {
protected:
    // The helper binary itself, as the unit runs it: `--ota-recover[-check] otatest` plus the
    // test's directories.
    ProgramRun recover(bool check_only) {
        std::vector<std::string> argv = {
            LINTEL_HELPER_BINARY, check_only ? "--ota-recover-check" : "--ota-recover", "otatest"};
        for (const auto& arg : ota_args({"deb.root=" + root().string()})) argv.push_back(arg);
        auto run = run_program(dir_.path(), argv);
        all_output_ += run.err;
        return run;
    }
    // 1.0 installed and committed, 2.0 installed and pending.
    void pending_upgrade() {
        ASSERT_TRUE(install(build("1.0"), "1.0"));
        ASSERT_TRUE(step("ota-commit", "1.0"));
        auto upgraded = install(build("2.0"), "2.0");
        ASSERT_TRUE(upgraded) << describe(upgraded);
        ASSERT_EQ(dpkg_status(), "installed 2.0");
    }
    void TearDown() override {
        if (HasFailure()) std::cerr << "--- recovery output ---\n" << all_output_ << "---\n";
        OtaDeb::TearDown();
    }
    std::string all_output_;
};

TEST_F(OtaRecover, RollsBackAPendingInstallOnceAndThenHasNothingToDo) {
    pending_upgrade();
    auto check = recover(true);
    EXPECT_EQ(check.status, "exit 0") << check.err;
    EXPECT_NE(check.err.find("release otatest-2.0 (2.0) is pending"), std::string::npos);
    EXPECT_EQ(dpkg_status(), "installed 2.0");  // the check changes nothing

    auto rolled = recover(false);
    EXPECT_EQ(rolled.status, "exit 0") << rolled.err;
    EXPECT_NE(rolled.err.find("ota-recover deb/otatest: rolled back release otatest-2.0 (2.0): "
                              "now 1.0 is installed"),
              std::string::npos)
        << rolled.err;
    EXPECT_EQ(dpkg_status(), "installed 1.0");
    EXPECT_EQ(installed_file(), "1.0\n");
    EXPECT_FALSE(fs::exists(state_dir() / ".records/deb/otatest/pending.jws"));

    // Nothing is pending any more: the unit's ExecCondition= skips, a direct run does nothing.
    auto after = recover(true);
    EXPECT_EQ(after.status, "exit 1") << after.err;
    EXPECT_NE(after.err.find("no install is pending (installed: 1.0); nothing to do"),
              std::string::npos)
        << after.err;
    auto again = recover(false);
    EXPECT_EQ(again.status, "exit 0") << again.err;
    EXPECT_EQ(dpkg_status(), "installed 1.0");
}

TEST_F(OtaRecover, NothingPendingIsExitZeroAndChangesNothing) {
    ASSERT_TRUE(install(build("1.0"), "1.0"));
    ASSERT_TRUE(step("ota-commit", "1.0"));
    auto check = recover(true);
    EXPECT_EQ(check.status, "exit 1") << check.err;
    auto run = recover(false);
    EXPECT_EQ(run.status, "exit 0") << run.err;
    EXPECT_NE(run.err.find("ota-recover deb/otatest: no install is pending (installed: 1.0); "
                           "nothing to do"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(dpkg_status(), "installed 1.0");
}

TEST_F(OtaRecover, AFailedRecoveryIsNeverTriedAgainForTheSameInstall) {
    pending_upgrade();
    // The kept package is damaged: the rollback must fail.
    ASSERT_TRUE(write_file(state_dir() / "deb/otatest/rollback.deb", "not a package", 0600));
    auto failed = recover(false);
    EXPECT_EQ(failed.status, "exit 1") << failed.err;
    EXPECT_NE(failed.err.find("not tried again"), std::string::npos) << failed.err;
    EXPECT_EQ(dpkg_status(), "installed 2.0");
    // Still pending, but recovery had its one try: the unit skips, a direct run does nothing.
    auto check = recover(true);
    EXPECT_EQ(check.status, "exit 1") << check.err;
    EXPECT_NE(check.err.find("recovery already tried to roll it back once"), std::string::npos)
        << check.err;
    auto again = recover(false);
    EXPECT_EQ(again.status, "exit 0") << again.err;
    EXPECT_EQ(dpkg_status(), "installed 2.0");
}

TEST_F(OtaRecover, ACheckThatCannotTellIsAnError) {
    fs::remove_all(plugin_dir());
    auto check = recover(true);
    EXPECT_EQ(check.status, "exit 255") << check.err;
    auto run = recover(false);
    EXPECT_EQ(run.status, "exit 1") << run.err;
}

}  // namespace
}  // namespace lintel::test
