// The helper's copies of OTA artifacts: taken only from inside the staging directory, never
// through a symlink, only regular files, and only when size and SHA-256 match; the private
// copies disappear with the request.
#include "helper/ota_artifacts.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/sha256.hpp"
#include "helper/ota_codes.hpp"
#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr std::string_view k_content = "a package, byte for byte";

class OtaArtifacts : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(staging_ / "sub");
        ASSERT_TRUE(test::write_file(staging_ / "sub" / "a.deb", k_content));
    }
    OtaArtifactParam param(const fs::path& path) const {
        return {"package", path.string(), *common::sha256_hex(k_content), k_content.size()};
    }
    Expected<StagedArtifacts> copy(const OtaArtifactParam& p) const {
        return StagedArtifacts::copy_verified({p}, staging_, work_);
    }
    std::string refused(const OtaArtifactParam& p, std::string_view code) {
        auto staged = copy(p);
        if (staged) return "accepted";
        EXPECT_EQ(staged.error().code, code) << staged.error().message;
        EXPECT_FALSE(fs::exists(work_)) << "a refusal leaves no copy behind";
        return staged.error().message;
    }

    TempDir dir_{"lintel-ota-artifacts"};
    fs::path staging_ = dir_ / "staging";
    fs::path work_ = dir_ / "work";
};

TEST_F(OtaArtifacts, AMatchingFileIsCopiedPrivatelyAndRemovedAfterwards) {
    {
        auto staged = copy(param(staging_ / "sub" / "a.deb"));
        ASSERT_TRUE(staged) << staged.error().message;
        ASSERT_EQ(staged->artifacts().size(), 1u);
        const auto& a = staged->artifacts()[0];
        EXPECT_EQ(a.path.parent_path(), work_);
        EXPECT_EQ(test::read_file(a.path).value_or(""), k_content);
        struct stat st {};
        ASSERT_EQ(::stat(a.path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        ASSERT_EQ(::stat(work_.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0700u);
        // Changing the staged file now changes nothing the handler sees.
        ASSERT_TRUE(test::write_file(staging_ / "sub" / "a.deb", "swapped after the check"));
        EXPECT_EQ(test::read_file(a.path).value_or(""), k_content);
    }
    EXPECT_FALSE(fs::exists(work_));
}

TEST_F(OtaArtifacts, PathsOutsideTheStagingDirectoryAreRefused) {
    ASSERT_TRUE(test::write_file(dir_ / "outside.deb", k_content));
    EXPECT_NE(refused(param(dir_ / "outside.deb"), ota_codes::unsafe_artifact)
                  .find("not inside the staging directory"),
              std::string::npos);
    EXPECT_NE(refused(param(staging_.string() + "/../outside.deb"), ota_codes::unsafe_artifact)
                  .find("\"..\""),
              std::string::npos);
    // A sibling whose name starts like the staging directory is not inside it.
    fs::create_directories(dir_ / "staging-evil");
    ASSERT_TRUE(test::write_file(dir_ / "staging-evil" / "a.deb", k_content));
    refused(param(dir_ / "staging-evil" / "a.deb"), ota_codes::unsafe_artifact);
}

TEST_F(OtaArtifacts, SymlinksAnywhereBelowTheStagingDirectoryAreRefused) {
    ASSERT_TRUE(test::write_file(dir_ / "outside.deb", k_content));
    fs::create_symlink(dir_ / "outside.deb", staging_ / "link.deb");
    EXPECT_NE(
        refused(param(staging_ / "link.deb"), ota_codes::unsafe_artifact).find("symbolic link"),
        std::string::npos);
    fs::create_directory_symlink(dir_.path(), staging_ / "linkdir");
    refused(param(staging_ / "linkdir" / "outside.deb"), ota_codes::unsafe_artifact);
}

TEST_F(OtaArtifacts, OnlyRegularFiles) {
    ASSERT_EQ(::mkfifo((staging_ / "fifo").c_str(), 0600), 0);
    EXPECT_NE(
        refused(param(staging_ / "fifo"), ota_codes::unsafe_artifact).find("not a regular file"),
        std::string::npos);
    refused(param(staging_ / "sub"), ota_codes::unsafe_artifact);
    EXPECT_NE(
        refused(param(staging_ / "missing.deb"), ota_codes::unsafe_artifact).find("no such file"),
        std::string::npos);
}

TEST_F(OtaArtifacts, SizeOrHashMismatchIsRefused) {
    auto p = param(staging_ / "sub" / "a.deb");
    p.size += 1;
    EXPECT_NE(refused(p, ota_codes::artifact_hash_mismatch).find("the request says"),
              std::string::npos);
    p = param(staging_ / "sub" / "a.deb");
    p.sha256 = std::string(64, '0');
    EXPECT_NE(refused(p, ota_codes::artifact_hash_mismatch).find("SHA-256"), std::string::npos);
}

}  // namespace
}  // namespace lintel::helper
