// The file and script handlers end to end, through the real helper: a file replaced atomically
// with its mode and owner kept, rolled back, committed, and refused outside the allowed
// directory or through a symlink; a script run for install/commit/rollback with its output, a
// failing one, and one killed at its timeout.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "ota_fixture.hpp"
#include "support/files.hpp"

namespace lintel::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Owned {
    unsigned mode = 0;
    unsigned uid = 0;
    unsigned gid = 0;
    bool operator==(const Owned&) const = default;
};

Owned owned(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return {};
    return {static_cast<unsigned>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

class OtaFile : public OtaFixture {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "the file handler sets owners: needs root";
        OtaFixture::SetUp();
        fs::create_directories(allowed() / "meter");
        start_ota_helper({"file.allowed_dirs=/nonexistent:" + allowed().string()});
    }
    fs::path allowed() const { return dir_ / "firmware"; }
    Expected<json> install(const std::string& version, const std::string& content,
                           const fs::path& destination) {
        return request(
            "ota-install",
            with_manifest(params("file", "meter-fw", version,
                                 {{"artifacts", json::array({stage("fw-" + version, content)})},
                                  {"params", {{"destination", destination.string()}}}})));
    }
};

TEST_F(OtaFile, ReplacesKeepingModeAndOwnerRollsBackAndCommits) {
    const fs::path target = allowed() / "meter" / "fw.bin";
    ASSERT_TRUE(write_file(target, "old firmware", 0640));
    ASSERT_EQ(::chown(target.c_str(), 1234, 2345), 0);

    auto installed = install("2.0", "new firmware", target);
    ASSERT_TRUE(installed) << describe(installed);
    EXPECT_EQ(installed->at("details").at("replaced"), "yes");
    EXPECT_EQ(read_file(target).value_or(""), "new firmware");
    EXPECT_EQ(owned(target), (Owned{0640, 1234, 2345}));

    auto back = request("ota-rollback", params("file", "meter-fw", "2.0"));
    ASSERT_TRUE(back) << describe(back);
    EXPECT_EQ(read_file(target).value_or(""), "old firmware");
    EXPECT_EQ(owned(target), (Owned{0640, 1234, 2345}));

    ASSERT_TRUE(install("2.0", "new firmware", target));
    auto committed = request("ota-commit", params("file", "meter-fw", "2.0"));
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(read_file(target).value_or(""), "new firmware");
    EXPECT_FALSE(fs::exists(state_dir() / "file/meter-fw/previous"));
    auto version = request("ota-installed-version", params("file", "meter-fw"));
    ASSERT_TRUE(version);
    EXPECT_EQ(version->at("version"), "2.0");
    // Nothing else was left in the directory (the temp file was renamed into place).
    EXPECT_EQ(std::distance(fs::directory_iterator(allowed() / "meter"), {}), 1);
}

TEST_F(OtaFile, ANewFileGetsTheGivenModeAndRollbackRemovesIt) {
    const fs::path target = allowed() / "new.bin";
    auto installed = request(
        "ota-install",
        with_manifest(params("file", "new-fw", "1.0",
                             {{"artifacts", json::array({stage("new", "blob")})},
                              {"params", {{"destination", target.string()}, {"mode", "0600"}}}})));
    ASSERT_TRUE(installed) << describe(installed);
    EXPECT_EQ(owned(target), (Owned{0600, 0, 0}));
    ASSERT_TRUE(request("ota-rollback", params("file", "new-fw", "1.0")));
    EXPECT_FALSE(fs::exists(target));
}

TEST_F(OtaFile, RefusesOutsideTheAllowedDirectoryAndThroughSymlinks) {
    ASSERT_TRUE(write_file(dir_ / "passwd", "root:x:0:0"));
    auto outside = install("1.0", "x", dir_ / "passwd");
    ASSERT_FALSE(outside);
    EXPECT_EQ(outside.error().code, "ota.not_allowed");
    auto dotdot = install("1.0", "x", allowed() / ".." / "passwd");
    ASSERT_FALSE(dotdot);
    EXPECT_EQ(dotdot.error().code, "ota.bad_params");
    fs::create_symlink(dir_ / "passwd", allowed() / "link.bin");
    auto link = install("1.0", "x", allowed() / "link.bin");
    ASSERT_FALSE(link);
    EXPECT_EQ(link.error().code, "ota.not_allowed");
    fs::create_directory_symlink(dir_.path(), allowed() / "linkdir");
    auto through = install("1.0", "x", allowed() / "linkdir" / "passwd");
    ASSERT_FALSE(through);
    EXPECT_EQ(through.error().code, "ota.not_allowed");
    EXPECT_EQ(read_file(dir_ / "passwd").value_or(""), "root:x:0:0");
    EXPECT_TRUE(fs::is_symlink(allowed() / "link.bin"));
}

class OtaScript : public OtaFixture {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "the helper's state is root's: needs root";
        OtaFixture::SetUp();
        start_ota_helper();
    }
    Expected<json> install(const std::string& version, const std::string& script,
                           const json& extra_params = json::object()) {
        json p = params("script", "tool", version,
                        {{"artifacts", json::array({stage("run-" + version, script)})}});
        if (!extra_params.empty()) p["params"] = extra_params;
        return request("ota-install", with_manifest(p));
    }
};

// Appends each step to a log in its work dir and prints what it was given.
constexpr std::string_view k_good_script =
    "#!/bin/sh\n"
    "echo \"$1 $LINTEL_OTA_COMPONENT $LINTEL_OTA_VERSION cwd=$(pwd) path=$PATH\"\n"
    "echo \"$1\" >> \"$LINTEL_OTA_WORK_DIR/steps\"\n"
    "echo to-stderr >&2\n";

TEST_F(OtaScript, RunsEachStepWithItsArgumentAndCapturesOutput) {
    auto installed = install("1.0", std::string(k_good_script));
    ASSERT_TRUE(installed) << describe(installed);
    const std::string work = (state_dir() / "script/tool/work").string();
    EXPECT_EQ(installed->at("output"),
              "install tool 1.0 cwd=" + work + " path=/usr/sbin:/usr/bin:/sbin:/bin\nto-stderr\n");
    EXPECT_EQ(owned(state_dir() / "script/tool/script").mode, 0700u);
    auto committed = request("ota-commit", params("script", "tool", "1.0"));
    ASSERT_TRUE(committed) << describe(committed);
    EXPECT_EQ(read_file(fs::path(work) / "steps").value_or(""), "install\ncommit\n");
    EXPECT_FALSE(fs::exists(state_dir() / "script/tool/script"));  // commit dropped it

    ASSERT_TRUE(install("2.0", std::string(k_good_script)));
    auto back = request("ota-rollback", params("script", "tool", "2.0"));
    ASSERT_TRUE(back) << describe(back);
    EXPECT_EQ(back->at("version"), "1.0");
    EXPECT_EQ(read_file(fs::path(work) / "steps").value_or(""),
              "install\ncommit\ninstall\nrollback\n");
}

TEST_F(OtaScript, AFailingScriptIsInstallFailedAndCanBeRolledBack) {
    auto failed = install("1.0",
                          "#!/bin/sh\n[ \"$1\" = rollback ] && { echo undone; exit 0; }\n"
                          "echo \"disk full\" >&2\nexit 3\n");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, "ota.install_failed");
    EXPECT_NE(failed.error().message.find("exited 3 in its install step: disk full"),
              std::string::npos)
        << failed.error().message;
    auto back = request("ota-rollback", params("script", "tool", "1.0"));
    ASSERT_TRUE(back) << describe(back);
    EXPECT_EQ(back->at("output"), "undone\n");
}

TEST_F(OtaScript, AScriptPastItsTimeoutIsKilled) {
    const auto started = std::chrono::steady_clock::now();
    auto slow = install("1.0", "#!/bin/sh\nsleep 30\n", {{"timeout_s", "1"}});
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, "ota.install_failed");
    EXPECT_NE(slow.error().message.find("did not finish within 1000 ms"), std::string::npos)
        << slow.error().message;
    EXPECT_LT(took, std::chrono::seconds(10));
    auto bad = install("1.1", "#!/bin/sh\n", {{"timeout_s", "99999"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "ota.bad_params");
}

}  // namespace
}  // namespace lintel::test
