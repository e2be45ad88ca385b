// ota.db: the current update survives reopening (a kill -9 or reboot), every state move is a
// history row, commits keep versions and floors per component, a corrupt file is moved aside.
#include <gtest/gtest.h>

#include <fstream>

#include "store/ota_db.hpp"
#include "store_test_util.hpp"

namespace lintel::store {
namespace {

using test::CapturingLogger;
using test::TempDir;

class OtaDbTest : public ::testing::Test {
protected:
    OtaDbOptions options() const {
        OtaDbOptions o;
        o.path = dir_.file("ota.db");
        o.history_max_rows = 4;
        return o;
    }
    OtaDb open() {
        auto db = OtaDb::open(options(), log_);
        EXPECT_TRUE(db) << db.error().message;
        return std::move(*db);
    }
    static OtaUpdateRecord update(std::string state) {
        OtaUpdateRecord r;
        r.command_id = "c-1";
        r.release_id = "rel-7";
        r.component = "lintel";
        r.version = "1.4.0";
        r.previous_version = "1.3.2";
        r.handler = "deb";
        r.manifest = "eyJ.eyJ.sig";
        r.plan = R"({"component":"lintel"})";
        r.boot_id = "b-1";
        r.state = std::move(state);
        r.attempts = 1;
        r.started_ms = 1000;
        r.updated_ms = 2000;
        return r;
    }

    TempDir dir_;
    CapturingLogger log_;
};

TEST_F(OtaDbTest, TheCurrentUpdateSurvivesReopening) {
    {
        auto db = open();
        EXPECT_FALSE(db.current().value().has_value());
        auto r = update("installing");
        r.health_deadline_ms = 99;
        r.reason = "ota.none";
        r.message = "installing 1.4.0";
        ASSERT_TRUE(db.save(r, "verifying"));
    }
    auto db = open();
    auto cur = db.current();
    ASSERT_TRUE(cur && cur->has_value());
    const OtaUpdateRecord& r = **cur;
    EXPECT_EQ(r.command_id, "c-1");
    EXPECT_EQ(r.release_id, "rel-7");
    EXPECT_EQ(r.component, "lintel");
    EXPECT_EQ(r.version, "1.4.0");
    EXPECT_EQ(r.previous_version, "1.3.2");
    EXPECT_EQ(r.handler, "deb");
    EXPECT_EQ(r.manifest, "eyJ.eyJ.sig");
    EXPECT_EQ(r.plan, R"({"component":"lintel"})");
    EXPECT_EQ(r.boot_id, "b-1");
    EXPECT_EQ(r.state, "installing");
    EXPECT_EQ(r.reason, "ota.none");
    EXPECT_EQ(r.message, "installing 1.4.0");
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.started_ms, 1000);
    EXPECT_EQ(r.updated_ms, 2000);
    EXPECT_EQ(r.health_deadline_ms, 99);
    EXPECT_FALSE(r.outcome_reported);
}

TEST_F(OtaDbTest, OnlyStateMovesAreHistoryAndHistoryIsBounded) {
    auto db = open();
    const char* states[] = {"downloading", "verifying", "installing", "awaiting_health",
                            "committed"};
    std::string from;
    for (const char* s : states) {
        ASSERT_TRUE(db.save(update(s), from));
        from = s;
    }
    auto reported = update("committed");
    reported.outcome_reported = true;
    ASSERT_TRUE(db.save(reported, "committed"));  // a flag, not a move
    auto h = db.history(100);
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 4U) << "bounded to history_max_rows";
    EXPECT_EQ((*h)[0].from_state, "awaiting_health");
    EXPECT_EQ((*h)[0].to_state, "committed");
    EXPECT_EQ((*h)[3].from_state, "downloading");
    EXPECT_EQ((*h)[3].to_state, "verifying");
    EXPECT_TRUE(db.current().value()->outcome_reported);
}

TEST_F(OtaDbTest, CommitsKeepTheVersionAndFloorPerComponent) {
    auto db = open();
    EXPECT_FALSE(db.floor("lintel").value().has_value());
    ASSERT_TRUE(db.record_commit("lintel", "1.4.0", "1.2.0", 5));
    ASSERT_TRUE(db.record_commit("meter-fw", "7", "7", 6));
    ASSERT_TRUE(db.record_commit("lintel", "1.5.0", "1.4.0", 7));
    EXPECT_EQ(db.committed_version("lintel").value(), "1.5.0");
    EXPECT_EQ(db.floor("lintel").value(), "1.4.0");
    EXPECT_EQ(db.floor("meter-fw").value(), "7");
    EXPECT_FALSE(db.committed_version("other").value().has_value());
}

TEST_F(OtaDbTest, ACorruptFileIsMovedAsideLoudly) {
    std::ofstream(dir_.file("ota.db")) << std::string(8192, 'x');
    auto db = open();
    EXPECT_TRUE(db.save(update("downloading"), ""));
    bool logged = false;
    for (const auto& l : log_.lines()) {
        logged |= l.text.find("OTA database is unusable") != std::string::npos &&
                  l.text.find("anti-rollback floors") != std::string::npos;
    }
    EXPECT_TRUE(logged);
}

}  // namespace
}  // namespace lintel::store
