// Artifact files against their manifest entry: the right file, truncated, padded, same size with
// other bytes, missing, not a regular file; digests checked against sha256sum.
#include "ota/artifact_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "commands_test_support.hpp"
#include "ota/reason_codes.hpp"
#include "support/files.hpp"

namespace lintel::ota {
namespace {

class ArtifactCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        // Larger than one 64 KiB read, not a multiple of it.
        content_.resize(200'001);
        for (std::size_t i = 0; i < content_.size(); ++i) {
            content_[i] = static_cast<char>((i * 7919) % 251);
        }
        ASSERT_TRUE(lintel::test::write_file(file_, content_));
        auto r = commands::test::run({"sha256sum", file_.string()}, dir_.path());
        ASSERT_TRUE(r && r->code == 0);
        artifact_ =
            Artifact{"a.bin", "https://u.example/a.bin", r->out.substr(0, 64), content_.size()};
    }
    std::string code_of(const std::filesystem::path& path) {
        auto r = check_artifact_file(path, artifact_);
        return r ? "ok" : r.error().code;
    }

    lintel::test::TempDir dir_{"lintel-ota-artifact"};
    std::filesystem::path file_ = dir_ / "a.bin";
    std::string content_;
    Artifact artifact_;
};

TEST_F(ArtifactCheckTest, TheRightFilePasses) {
    EXPECT_EQ(code_of(file_), "ok");
    auto digest = digest_file(file_, 1ULL << 30);
    ASSERT_TRUE(digest) << digest.error().message;
    EXPECT_EQ(digest->size, content_.size());
    EXPECT_EQ(digest->sha256, artifact_.sha256);  // sha256sum's answer
}

TEST_F(ArtifactCheckTest, TruncatedAndPadded) {
    const auto truncated = dir_ / "truncated";
    ASSERT_TRUE(lintel::test::write_file(truncated, content_.substr(0, 65536)));
    EXPECT_EQ(code_of(truncated), reason::size_mismatch);
    auto r = check_artifact_file(truncated, artifact_);
    EXPECT_NE(r.error().message.find("is truncated: 65536 bytes, the manifest says 200001"),
              std::string::npos)
        << r.error().message;
    const auto padded = dir_ / "padded";
    ASSERT_TRUE(lintel::test::write_file(padded, content_ + "x"));
    EXPECT_EQ(code_of(padded), reason::size_mismatch);
    const auto empty = dir_ / "empty";
    ASSERT_TRUE(lintel::test::write_file(empty, ""));
    EXPECT_EQ(code_of(empty), reason::size_mismatch);
}

TEST_F(ArtifactCheckTest, SameSizeOtherBytes) {
    for (std::size_t at : {std::size_t{0}, std::size_t{65536}, content_.size() - 1}) {
        std::string tampered = content_;
        tampered[at] = static_cast<char>(tampered[at] ^ 1);
        const auto path = dir_ / ("tampered-" + std::to_string(at));
        ASSERT_TRUE(lintel::test::write_file(path, tampered));
        EXPECT_EQ(code_of(path), reason::hash_mismatch) << at;
    }
}

TEST_F(ArtifactCheckTest, NotAReadableRegularFile) {
    EXPECT_EQ(code_of(dir_ / "missing"), reason::io);
    EXPECT_EQ(code_of(dir_.path()), reason::io);
    const auto link = dir_ / "link";
    ASSERT_EQ(::symlink(file_.c_str(), link.c_str()), 0);
    EXPECT_EQ(code_of(link), reason::io);  // a staging dir never holds links to follow
    EXPECT_EQ(code_of("/dev/zero"), reason::io);
}

TEST_F(ArtifactCheckTest, DigestStopsAtItsLimit) {
    auto digest = digest_file(file_, 1000);
    ASSERT_FALSE(digest);
    EXPECT_EQ(digest.error().code, reason::too_large);
    EXPECT_TRUE(digest_file(file_, content_.size()));
}

}  // namespace
}  // namespace lintel::ota
