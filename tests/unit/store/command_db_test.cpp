// commands.db: the nonce store (replays across restarts), the freshness anchor, runtime key
// revocations, the bounded audit log and the bounded outbox, and a corrupt file moved aside.
#include <gtest/gtest.h>

#include <fstream>

#include "store/command_db.hpp"
#include "store_test_util.hpp"

namespace lintel::store {
namespace {

using test::CapturingLogger;
using test::TempDir;

class CommandDbTest : public ::testing::Test {
protected:
    CommandDbOptions options() const {
        CommandDbOptions o;
        o.path = dir_.file("commands.db");
        o.audit_max_rows = 5;
        o.outbox_max_bytes = 100;
        return o;
    }
    CommandDb open() {
        auto db = CommandDb::open(options(), log_);
        EXPECT_TRUE(db) << db.error().message;
        return std::move(*db);
    }
    static AuditRecord record(std::int64_t ts, std::string decision) {
        AuditRecord a;
        a.ts_ms = ts;
        a.source = "mqtt";
        a.principal = "ops";
        a.kid = "ops-1";
        a.command_id = "c-" + std::to_string(ts);
        a.action = "ping";
        a.decision = std::move(decision);
        a.reason = "cmd.stale";
        a.detail = "issued 600 s ago";
        return a;
    }

    TempDir dir_;
    CapturingLogger log_;
};

TEST_F(CommandDbTest, AnIdIsClaimedOnceEvenAcrossARestart) {
    {
        auto db = open();
        EXPECT_EQ(db.claim("c-1", 2000, 1000), true);
        EXPECT_EQ(db.claim("c-1", 2000, 1000), false);
        EXPECT_EQ(db.claim("c-2", 3000, 900), true);
        EXPECT_EQ(*db.newest_issued_at(), 1000) << "the anchor only moves forward";
    }
    auto db = open();
    EXPECT_EQ(db.claim("c-1", 2000, 1000), false) << "a replay after a restart is still a replay";
    EXPECT_EQ(*db.newest_issued_at(), 1000);
    EXPECT_EQ(*db.prune_nonces(2500), 1U);
    EXPECT_EQ(db.claim("c-1", 2000, 1000), true) << "forgotten once its window has passed";
}

TEST_F(CommandDbTest, RevocationsPersist) {
    {
        auto db = open();
        ASSERT_TRUE(db.revoke_key("old-1", 5));
        ASSERT_TRUE(db.revoke_key("old-1", 6));
    }
    auto db = open();
    EXPECT_EQ(*db.revoked_keys(), std::vector<std::string>{"old-1"});
}

TEST_F(CommandDbTest, ShunsPersistUntilTheyExpireOrAreLifted) {
    {
        auto db = open();
        ASSERT_TRUE(db.save_shun("key:ops-1", 5000));
        ASSERT_TRUE(db.save_shun("principal:bob", 2000));
        ASSERT_TRUE(db.save_shun("key:ops-1", 9000));  // a later shun replaces the first
        ASSERT_TRUE(db.save_shun("key:gone", 3000));
        ASSERT_TRUE(db.remove_shun("key:gone"));
    }
    auto db = open();
    using Shuns = std::vector<std::pair<std::string, std::int64_t>>;
    EXPECT_EQ(*db.active_shuns(1000), (Shuns{{"key:ops-1", 9000}, {"principal:bob", 2000}}));
    EXPECT_EQ(*db.active_shuns(2000), (Shuns{{"key:ops-1", 9000}}));  // expired at 2000
    EXPECT_EQ(*db.active_shuns(1000), (Shuns{{"key:ops-1", 9000}}));  // and deleted
}

TEST_F(CommandDbTest, AuditIsBoundedOldestFirstAndDropsAreCounted) {
    auto db = open();
    for (int i = 1; i <= 8; ++i) ASSERT_TRUE(db.append_audit(record(i * 100, "rejected")));
    auto all = db.audit_since(0, 100);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 5U);
    EXPECT_EQ(all->front().ts_ms, 400);
    EXPECT_EQ(all->back().command_id, "c-800");
    EXPECT_EQ(all->back().detail, "issued 600 s ago");
    auto s = db.stats();
    EXPECT_EQ(s->audit_rows, 5U);
    EXPECT_EQ(s->audit_dropped, 3U);
    auto recent = db.audit_since(650, 100);
    ASSERT_EQ(recent->size(), 2U);
    EXPECT_EQ(db.audit_since(0, 2)->size(), 2U);
}

TEST_F(CommandDbTest, OutboxIsAQueueWithAByteCap) {
    auto db = open();
    const auto a = db.enqueue("audit", std::string(30, 'a'));
    const auto b = db.enqueue("events", std::string(30, 'b'));
    ASSERT_TRUE(a && b);
    auto first = db.next_message(0);
    ASSERT_TRUE(first && *first);
    EXPECT_EQ((*first)->topic, "audit");
    auto second = db.next_message((*first)->id);
    EXPECT_EQ((*second)->topic, "events");
    EXPECT_FALSE(*db.next_message((*second)->id));
    // 3 x 36 bytes > 100: the oldest goes, never the new one.
    ASSERT_TRUE(db.enqueue("cmd/result", std::string(30, 'c')));
    auto head = db.next_message(0);
    EXPECT_EQ((*head)->topic, "events");
    EXPECT_EQ(db.stats()->outbox_dropped, 1U);
    ASSERT_TRUE(db.remove_message((*head)->id));
    EXPECT_EQ((*db.next_message(0))->topic, "cmd/result");
    EXPECT_EQ(db.stats()->outbox_messages, 1U);
}

TEST_F(CommandDbTest, OutboxIdsAreNeverReused) {
    auto db = open();
    const auto first = db.enqueue("audit", "a");
    ASSERT_TRUE(first);
    ASSERT_TRUE(db.remove_message(*first));
    const auto second = db.enqueue("audit", "b");
    ASSERT_TRUE(second);
    EXPECT_GT(*second, *first) << "a reader's cursor past the first must still see the second";
    EXPECT_TRUE(*db.next_message(*first));
}

TEST_F(CommandDbTest, ACorruptFileIsMovedAsideLoudly) {
    std::ofstream(dir_.file("commands.db")) << std::string(8192, 'x');
    auto db = open();
    EXPECT_EQ(db.claim("c-1", 1, 1), true);
    bool logged = false;
    for (const auto& l : log_.lines())
        logged |= l.text.find("command database is unusable") != std::string::npos;
    EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace lintel::store
