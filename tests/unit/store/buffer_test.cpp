// Buffer: ordering, seq persistence, at-least-once re-sends, the byte cap, batch limits,
// corruption.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "store/buffer.hpp"
#include "store_test_util.hpp"
#include "uplink/payload.hpp"

namespace lintel::store {
namespace {

using nlohmann::json;
using test::CapturingLogger;
using test::numbered_points;
using test::TempDir;

class BufferTest : public ::testing::Test {
protected:
    BufferOptions options(std::uint64_t max_bytes = 256ull << 20) const {
        BufferOptions o;
        o.path = dir_.file("buffer.db");
        o.max_bytes = max_bytes;
        o.gateway_id = "gw-test";
        return o;
    }
    std::unique_ptr<Buffer> open(std::uint64_t max_bytes = 256ull << 20) {
        auto b = Buffer::open(options(max_bytes), log_);
        EXPECT_TRUE(b.has_value()) << (b ? "" : b.error().message);
        return b ? std::move(*b) : nullptr;
    }
    static std::vector<std::int64_t> values_of(const Batch& b) {
        std::vector<std::int64_t> out;
        const json message =
            json::parse(b.payload);  // a named object: range-for keeps no temporary alive
        for (const auto& p : message["points"]) out.push_back(p["value"].get<std::int64_t>());
        return out;
    }
    static Batch next(Buffer& b, std::size_t max_points = 500, std::size_t max_bytes = 64 * 1024) {
        auto r = b.next_batch({max_points, max_bytes});
        EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
        EXPECT_TRUE(r && r->has_value());
        return r && *r ? **r : Batch{};
    }
    static bool empty(Buffer& b) {
        auto r = b.next_batch({});
        return r && !r->has_value();
    }

    TempDir dir_;
    CapturingLogger log_;
};

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> v;
    for (auto i = from; i < to; ++i) v.push_back(i);
    return v;
}

TEST_F(BufferTest, BatchesInOrderAndAckDeletes) {
    auto b = open();
    const std::uint64_t s0 = b->stats().next_seq;
    ASSERT_TRUE(b->append(numbered_points(0, 10)));
    EXPECT_EQ(b->stats().queued_points, 10u);
    EXPECT_EQ(b->stats().accepted_total, 10u);

    const Batch b1 = next(*b, 4), b2 = next(*b, 4), b3 = next(*b, 4);
    EXPECT_EQ(b1.seq, s0);
    EXPECT_EQ(b2.seq, s0 + 1);
    EXPECT_EQ(b3.seq, s0 + 2);
    EXPECT_EQ(values_of(b1), range(0, 4));
    EXPECT_EQ(values_of(b2), range(4, 8));
    EXPECT_EQ(values_of(b3), range(8, 10));
    EXPECT_EQ(b3.points, 2u);
    EXPECT_TRUE(empty(*b));

    const std::uint64_t acks[] = {b2.seq, b1.seq};
    ASSERT_TRUE(b->acknowledge(acks));
    EXPECT_EQ(b->stats().queued_points, 2u);
    ASSERT_TRUE(b->acknowledge(b3.seq));
    ASSERT_TRUE(b->acknowledge(b3.seq));  // twice: ignored
    EXPECT_EQ(b->stats().queued_points, 0u);
    EXPECT_EQ(b->stats().queued_bytes, 0u);
    EXPECT_EQ(b->stats().acked_total, 10u);
}

TEST_F(BufferTest, SeqIsMonotonicAcrossReopen) {
    std::uint64_t s0 = 0;
    {
        auto b = open();
        s0 = b->stats().next_seq;
        // A new database starts at the clock (Unix ms), so a replaced one never reuses seqs.
        EXPECT_GE(s0, static_cast<std::uint64_t>(sdk::now_unix_ms()) - 60'000);
        ASSERT_TRUE(b->append(numbered_points(0, 3)));
        ASSERT_TRUE(b->acknowledge(next(*b, 1).seq));
        ASSERT_TRUE(b->acknowledge(next(*b, 1).seq));
        EXPECT_EQ(b->stats().next_seq, s0 + 2);
    }
    auto b = open();
    EXPECT_EQ(b->stats().next_seq, s0 + 2);
    EXPECT_EQ(b->stats().queued_points, 1u);
    const Batch batch = next(*b);
    EXPECT_EQ(batch.seq, s0 + 2);
    EXPECT_EQ(values_of(batch), range(2, 3));
    ASSERT_TRUE(b->acknowledge(batch.seq));
    // All rows gone: new ones still get fresh seqs and are still found.
    ASSERT_TRUE(b->append(numbered_points(3, 2)));
    EXPECT_EQ(next(*b).seq, s0 + 3);
}

TEST_F(BufferTest, RewindResendsSameSeqAndPayload) {
    auto b = open();
    ASSERT_TRUE(b->append(numbered_points(0, 10)));
    const Batch a = next(*b, 3), c = next(*b, 3);
    b->rewind();
    const Batch a2 = next(*b, 100),
                c2 = next(*b, 100);  // other limits: the batch is kept as it was
    EXPECT_EQ(a2.seq, a.seq);
    EXPECT_EQ(a2.payload, a.payload);
    EXPECT_EQ(c2.seq, c.seq);
    EXPECT_EQ(c2.payload, c.payload);
    const Batch n = next(*b, 100);
    EXPECT_EQ(n.seq, c.seq + 1);
    EXPECT_EQ(values_of(n), range(6, 10));

    // An acked batch is not re-sent.
    ASSERT_TRUE(b->acknowledge(a.seq));
    b->rewind();
    EXPECT_EQ(next(*b).seq, c.seq);
    EXPECT_EQ(next(*b).seq, n.seq);
    EXPECT_TRUE(empty(*b));
}

TEST_F(BufferTest, UnackedBatchesSurviveReopenAndComeFirst) {
    Batch unacked;
    {
        auto b = open();
        ASSERT_TRUE(b->append(numbered_points(0, 10)));
        ASSERT_TRUE(b->acknowledge(next(*b, 3).seq));
        unacked = next(*b, 3);
    }
    auto b = open();
    EXPECT_EQ(b->stats().queued_points, 7u);
    const Batch again = next(*b, 50);
    EXPECT_EQ(again.seq, unacked.seq);
    EXPECT_EQ(again.payload, unacked.payload);
    const Batch rest = next(*b, 50);
    EXPECT_EQ(rest.seq, unacked.seq + 1);
    EXPECT_EQ(values_of(rest), range(6, 10));
}

TEST_F(BufferTest, FullBufferDropsOldestAndCountsPerDevice) {
    const std::uint64_t max = 100 * kRowOverheadBytes;  // room for 100 numeric rows
    {
        auto b = open(max);
        ASSERT_TRUE(b->append(numbered_points(0, 50, "ahu-1")));
        ASSERT_TRUE(b->append(numbered_points(50, 100, "chiller-2")));
        // 150 rows: down to the low-water mark (99% of max = 99 rows) from the oldest.
        const auto s = b->stats();
        EXPECT_EQ(s.queued_points, 99u);
        EXPECT_LE(s.queued_bytes, max);
        EXPECT_EQ(s.dropped_total, 51u);
        EXPECT_EQ(s.dropped_by_device.at("ahu-1"), 50u);
        EXPECT_EQ(s.dropped_by_device.at("chiller-2"), 1u);
        EXPECT_EQ(log_.count(sdk::LogLevel::warning), 1u);
        // More drops within the log interval: counted, not logged line by line.
        ASSERT_TRUE(b->append(numbered_points(150, 10, "chiller-2")));
        EXPECT_EQ(b->stats().dropped_by_device.at("chiller-2"), 11u);
        EXPECT_EQ(log_.count(sdk::LogLevel::warning), 1u);
    }
    auto b = open(max);
    const auto s = b->stats();
    EXPECT_EQ(s.dropped_total, 61u);
    EXPECT_EQ(s.dropped_by_device.at("ahu-1"), 50u);
    EXPECT_EQ(s.dropped_by_device.at("chiller-2"), 11u);
    EXPECT_EQ(values_of(next(*b, 1)), range(61, 62));
}

TEST_F(BufferTest, FullBufferKeepsBatchesInFlight) {
    const std::uint64_t max = 100 * kRowOverheadBytes;
    auto b = open(max);
    ASSERT_TRUE(b->append(numbered_points(0, 100)));
    const Batch in_flight = next(*b, 10);
    ASSERT_TRUE(b->append(numbered_points(100, 20)));
    // The unbatched rows after the batch went first; the batch is re-sent unchanged.
    b->rewind();
    const Batch again = next(*b, 10);
    EXPECT_EQ(again.payload, in_flight.payload);
    const auto after = values_of(next(*b, 1));
    EXPECT_EQ(after, range(31, 32));
    EXPECT_EQ(b->stats().dropped_total, 21u);
}

TEST_F(BufferTest, FullBufferWithOnlyBatchesDropsWholeOldestBatch) {
    const std::uint64_t max = 100 * kRowOverheadBytes;
    auto b = open(max);
    ASSERT_TRUE(b->append(numbered_points(0, 100)));
    const std::uint64_t s0 = b->stats().next_seq;
    for (int i = 0; i < 10; ++i) next(*b, 10);  // all in flight
    ASSERT_TRUE(b->append(numbered_points(100, 5)));
    // Unbatched rows go first, then whole batches: a re-sent batch never changes, and the
    // missing seq shows the cloud where data was lost.
    const auto s = b->stats();
    EXPECT_EQ(s.dropped_total, 15u);
    EXPECT_EQ(s.queued_points, 90u);
    b->rewind();
    const Batch first = next(*b, 10);
    EXPECT_EQ(first.seq, s0 + 1);
    EXPECT_EQ(values_of(first), range(10, 20));
    ASSERT_TRUE(b->acknowledge(s0));  // the ack of a dropped batch is ignored
    EXPECT_EQ(b->stats().queued_points, 90u);
}

TEST_F(BufferTest, BatchLimitsAreRespectedExactly) {
    auto b = open();
    std::vector<sdk::PointValue> points;
    for (int i = 0; i < 400; ++i) {
        auto p = test::numbered_point(i);
        if (i % 3 == 0) p.value = std::string(static_cast<std::size_t>(i % 97), 'x');
        if (i % 5 == 0) p.unit.clear();
        points.push_back(p);
    }
    ASSERT_TRUE(b->append(points));
    std::size_t seen = 0;
    while (seen < points.size()) {
        const Batch batch = next(*b, 37, 1500);
        ASSERT_LE(batch.points, 37u);
        ASSERT_LE(batch.payload.size(), 1500u);
        ASSERT_EQ(json::parse(batch.payload)["points"].size(), batch.points);
        seen += batch.points;
        if (seen < points.size() && batch.points < 37) {
            // Cut by bytes: the next point would not have fitted.
            EXPECT_GT(batch.payload.size() + 1 + uplink::encoded_point_size(points[seen]), 1500u);
        }
    }
    EXPECT_EQ(seen, points.size());
    // Whatever the uplink asks, a message stays below 128 KiB.
    std::vector<sdk::PointValue> big;
    for (int i = 0; i < 3000; ++i) big.push_back(test::numbered_point(i));
    ASSERT_TRUE(b->append(big));
    const Batch large = next(*b, 100000, 10 * 1024 * 1024);
    EXPECT_LT(large.payload.size(), 128u * 1024);
    EXPECT_GT(large.payload.size(), 120u * 1024);
}

TEST_F(BufferTest, PointTooLargeForAnyMessageIsDroppedNotStuck) {
    auto b = open();
    auto huge = test::numbered_point(0);
    huge.value = std::string(200 * 1024, 'z');
    std::vector<sdk::PointValue> points{huge, test::numbered_point(1)};
    ASSERT_TRUE(b->append(points));
    const Batch batch = next(*b);
    EXPECT_EQ(values_of(batch), range(1, 2));
    EXPECT_EQ(b->stats().dropped_total, 1u);
    EXPECT_GE(log_.count(sdk::LogLevel::error), 1u);
}

TEST_F(BufferTest, EveryValueTypeRoundTrips) {
    auto b = open();
    std::vector<sdk::PointValue> points(6, test::numbered_point(0));
    points[0].value = true;
    points[1].value = std::int64_t{-5};
    points[2].value = 2.75;
    points[3].value = std::nan("");
    points[4].value = std::string("h\"i\n");
    points[5].value = false;
    points[5].unit.clear();
    points[5].quality = sdk::Quality::stale;
    ASSERT_TRUE(b->append(points));
    const Batch batch = next(*b);
    EXPECT_EQ(batch.payload, uplink::encode_telemetry("gw-test", batch.seq, points));
}

TEST_F(BufferTest, GarbageFileIsMovedAsideAndFreshOneCreated) {
    {
        std::ofstream f(dir_.file("buffer.db"), std::ios::binary);
        for (int i = 0; i < 1000; ++i) f << "this is not a database ";
    }
    auto b = open();
    ASSERT_TRUE(b);
    ASSERT_TRUE(b->moved_aside().has_value());
    EXPECT_TRUE(std::filesystem::exists(*b->moved_aside()));
    EXPECT_NE(b->moved_aside()->filename().string().find("buffer.db.corrupt-"), std::string::npos);
    EXPECT_GE(log_.count(sdk::LogLevel::error), 1u);
    ASSERT_TRUE(b->append(numbered_points(0, 3)));
    EXPECT_EQ(values_of(next(*b)), range(0, 3));
}

TEST_F(BufferTest, DamagedPagesAreMovedAside) {
    {
        auto b = open();
        for (int i = 0; i < 20; ++i) ASSERT_TRUE(b->append(numbered_points(i * 1000, 1000)));
    }
    std::filesystem::remove(dir_.file("buffer.db-wal"));
    const auto size = std::filesystem::file_size(dir_.file("buffer.db"));
    ASSERT_GT(size, 64u * 1024);
    {
        std::fstream f(dir_.file("buffer.db"), std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(size / 2));
        for (int i = 0; i < 8192; ++i) f.put(static_cast<char>(i * 7 + 3));
    }
    auto b = open();
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->moved_aside().has_value());
    EXPECT_EQ(b->stats().queued_points, 0u);
}

TEST_F(BufferTest, ForeignSqliteDatabaseIsMovedAside) {
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(dir_.file("buffer.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE something(x)", nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    auto b = open();
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->moved_aside().has_value());
}

TEST_F(BufferTest, NewerSchemaIsMovedAsideNotMisread) {
    { open(); }
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(dir_.file("buffer.db").c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    auto b = open();
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->moved_aside().has_value());
}

TEST_F(BufferTest, UnwritableDirectoryIsAnErrorNotAMoveAside) {
    if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
    std::filesystem::create_directory(dir_.file("ro"));
    std::filesystem::permissions(
        dir_.file("ro"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    auto o = options();
    o.path = dir_.file("ro") / "buffer.db";
    auto b = Buffer::open(o, log_);
    EXPECT_FALSE(b.has_value());
    std::filesystem::permissions(dir_.file("ro"), std::filesystem::perms::owner_all);
}

}  // namespace
}  // namespace lintel::store
