// The -wal scanner against logs written by SQLite itself: intact, damaged mid-file, an unfinished
// last transaction, and files that are no log at all.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/wal_scan.hpp"
#include "store_test_util.hpp"

namespace lintel::store {
namespace {

std::vector<unsigned char> read_all(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `commits` transactions of 50 rows each, left in the -wal (no checkpoint, connection open).
class WalScanTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = Database::open(dir_.path() / "t.db");
        ASSERT_TRUE(db) << db.error().message;
        db_.emplace(std::move(*db));
        ASSERT_TRUE(
            db_->exec("PRAGMA journal_mode=WAL;PRAGMA wal_autocheckpoint=0;"
                      "CREATE TABLE t(x INTEGER, y BLOB)"));
        for (int c = 0; c < k_commits; ++c) {
            auto tx = Transaction::begin(*db_);
            ASSERT_TRUE(tx);
            for (int i = 0; i < 50; ++i)
                ASSERT_TRUE(db_->exec("INSERT INTO t VALUES(1, randomblob(200))"));
            ASSERT_TRUE(tx->commit());
        }
        wal_ = read_all(dir_.path() / "t.db-wal");
        ASSERT_GT(wal_.size(), 32U);
    }
    static constexpr int k_commits = 20;
    test::TempDir dir_;
    std::optional<Database> db_;
    std::vector<unsigned char> wal_;
};

TEST_F(WalScanTest, IntactLogReplaysEveryCommit) {
    const auto scan = scan_wal(wal_);
    EXPECT_TRUE(scan.header_valid);
    EXPECT_EQ(scan.valid_commits, static_cast<std::uint64_t>(k_commits) + 1);  // + CREATE TABLE
    EXPECT_EQ(scan.valid_frames, scan.frames);
    EXPECT_EQ(scan.lost_commits, 0U);
}

TEST_F(WalScanTest, DamagedFrameInTheMiddleLosesTheLaterCommits) {
    auto bytes = wal_;
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 100; ++i) bytes[i] ^= 0x5a;
    const auto scan = scan_wal(bytes);
    EXPECT_TRUE(scan.header_valid);
    EXPECT_GT(scan.lost_commits, 0U);
    EXPECT_LT(scan.valid_commits, static_cast<std::uint64_t>(k_commits) + 1);
    EXPECT_EQ(scan.valid_commits + scan.lost_commits, static_cast<std::uint64_t>(k_commits) + 1);
}

TEST_F(WalScanTest, UnfinishedLastTransactionIsNotALoss) {
    // Cut inside the last frame: the last transaction never committed as far as SQLite knows.
    auto bytes = wal_;
    bytes.erase(bytes.end() - 100, bytes.end());
    const auto scan = scan_wal(bytes);
    EXPECT_EQ(scan.lost_commits, 0U);
    EXPECT_EQ(scan.valid_commits, static_cast<std::uint64_t>(k_commits));
}

TEST_F(WalScanTest, NotALogIsIgnoredLikeSqliteDoes) {
    EXPECT_FALSE(scan_wal({}).header_valid);
    std::vector<unsigned char> junk(8192, 0xa5);
    EXPECT_FALSE(scan_wal(junk).header_valid);
    auto bytes = wal_;
    bytes[20] ^= 1;  // header checksum no longer matches: SQLite ignores the whole file
    const auto scan = scan_wal(bytes);
    EXPECT_FALSE(scan.header_valid);
    EXPECT_EQ(scan.lost_commits, 0U);
    auto absent = scan_wal_file(dir_.path() / "none-wal");
    ASSERT_TRUE(absent);
    EXPECT_EQ(absent->frames, 0U);
}

}  // namespace
}  // namespace lintel::store
