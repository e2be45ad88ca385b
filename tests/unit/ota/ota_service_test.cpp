// The OTA service against fake ports and a real ota.db: the lifecycle to committed, failures
// before installing (nothing installed), rollback when unhealthy, the emergency stop, and a
// restart (a new service over the same ota.db, as after kill -9 or a reboot) in every state.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include "fake_ota_ports.hpp"
#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"
#include "support/watchdog.hpp"

namespace lintel::ota::test {
namespace {

using namespace std::chrono_literals;
using S = UpdateState;

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class OtaServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = store::OtaDb::open(store::OtaDbOptions{dir_ / "ota.db", 1000}, log_);
        ASSERT_TRUE(db) << db.error().message;
        db_ = std::make_unique<store::OtaDb>(std::move(*db));
        service_ = make_service();
    }

    std::unique_ptr<OtaService> make_service() {
        OtaServiceOptions o;
        o.staging_dir = dir_ / "staging";
        o.health_deadline = 400ms;
        o.health_poll = 10ms;
        o.download_retry_min = 10ms;
        o.download_retry_max = 20ms;
        return std::make_unique<OtaService>(io_.get_executor(), *db_, ports_, log_, o, wall_ms);
    }

    // What linteld does when it dies (kill -9, reboot) and starts again: the old service's
    // work is gone, a new one reads ota.db.
    void restart() {
        service_->stop();
        service_.reset();
        io_.restart();
        io_.poll();  // cancelled coroutines finish touching nothing
        service_ = make_service();
        service_->start();
    }

    // An update whose download the previous run finished, stopped before it verified: the state
    // on disk is verifying (the service is stopped; restart() or a new one picks it up).
    store::OtaUpdateRecord left_verifying() {
        ports_.hang_downloads = true;
        EXPECT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
        lintel::test::run_until(
            io_, [&] { return ports_.downloads == 1; }, 5s);
        service_->stop();
        ports_.hang_downloads = false;
        auto record = db_->current().value().value();
        record.state = "verifying";
        EXPECT_TRUE(db_->save(record, "downloading"));
        return record;
    }

    bool reaches(S state, std::chrono::milliseconds timeout = 5s) {
        return lintel::test::run_until(
            io_, [&] { return service_->state() == state; }, timeout);
    }
    std::string reason() { return db_->current().value()->reason; }
    std::vector<std::string> states_reported() const {
        std::vector<std::string> out;
        for (const auto& e : ports_.events) {
            if (!e.contains("bytes") && (out.empty() || out.back() != e["state"])) {
                out.push_back(e["state"]);
            }
        }
        return out;
    }

    asio::io_context io_;
    lintel::test::TestWatchdog dog_{30s, [this] { io_.stop(); }};
    lintel::test::TempDir dir_{"lintel-ota"};
    lintel::test::CaptureLogger log_{"ota", false};
    FakeOtaPorts ports_{io_.get_executor()};
    std::unique_ptr<store::OtaDb> db_;
    std::unique_ptr<OtaService> service_;
};

TEST_F(OtaServiceTest, AnUpdateRunsToCommittedAndRaisesTheFloor) {
    auto started = service_->begin("c-1", FakeOtaPorts::manifest("2.0", "1.5"));
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_EQ((*started)["state"], "downloading");
    ASSERT_TRUE(reaches(S::committed));
    EXPECT_EQ(ports_.installed, "2.0");
    EXPECT_EQ(ports_.installs, 1);
    EXPECT_EQ(ports_.commits, 1);
    EXPECT_EQ(ports_.installed_files.size(), 2U);
    EXPECT_EQ(states_reported(), (std::vector<std::string>{"downloading", "verifying", "installing",
                                                           "awaiting_health", "committed"}));
    EXPECT_TRUE(ports_.events.back()["final"]);
    EXPECT_EQ(ports_.events.back()["previous_version"], "1.0");
    EXPECT_EQ(db_->floor("lintel").value(), "1.5");
    EXPECT_EQ(db_->committed_version("lintel").value(), "2.0");
    EXPECT_TRUE(db_->current().value()->outcome_reported);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "staging" / "rel-2.0")) << "staging cleaned";
    // Every move is in the history, newest first.
    auto h = db_->history(10).value();
    ASSERT_EQ(h.size(), 5U);
    EXPECT_EQ(h.front().to_state, "committed");
    EXPECT_EQ(h.back().to_state, "downloading");

    // The floor now refuses an older release, before anything is downloaded.
    auto older = service_->begin("c-2", FakeOtaPorts::manifest("1.4"));
    ASSERT_FALSE(older);
    EXPECT_EQ(older.error().code, "ota.below_floor");
    EXPECT_EQ(ports_.downloads, 2);
}

TEST_F(OtaServiceTest, AWrongArtifactFailsBeforeAnythingIsInstalled) {
    ports_.corrupt_downloads = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::failed));
    EXPECT_EQ(reason(), "ota.hash_mismatch");
    EXPECT_EQ(ports_.installs, 0);
    EXPECT_EQ(ports_.rollbacks, 0);
    EXPECT_EQ(ports_.installed, "1.0");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "staging" / "rel-2.0")) << "staging cleaned";
    EXPECT_EQ(ports_.events.back()["reason"], "ota.hash_mismatch");
}

TEST_F(OtaServiceTest, AnUnhealthyVersionIsRolledBack) {
    ports_.is_healthy = false;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::rolled_back));
    EXPECT_EQ(reason(), "ota.health_failed");
    EXPECT_EQ(ports_.rollbacks, 1);
    EXPECT_EQ(ports_.commits, 0);
    EXPECT_EQ(ports_.installed, "1.0");
    EXPECT_FALSE(db_->committed_version("lintel").value().has_value());
}

TEST_F(OtaServiceTest, AFailedInstallIsRolledBackWithItsReason) {
    ports_.install_error = Error{"ota.install_failed", "dpkg: dependency problems"};
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::rolled_back));
    EXPECT_EQ(reason(), "ota.install_failed");
    EXPECT_NE(db_->current().value()->message.find("dependency problems"), std::string::npos);
    EXPECT_EQ(ports_.rollbacks, 1);
}

TEST_F(OtaServiceTest, TransientDownloadFailuresAreRetried) {
    ports_.transient_download_failures = 3;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::committed));
    EXPECT_EQ(ports_.downloads, 2 + 3);
}

TEST_F(OtaServiceTest, TheEmergencyStopEndsADownloadAndRefusesDuringAnInstall) {
    EXPECT_EQ(service_->abort("nothing runs").error().code, "ota.not_abortable");
    ports_.hang_downloads = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    lintel::test::run_until(
        io_, [&] { return ports_.downloads == 1; }, 5s);
    EXPECT_EQ(service_->begin("c-2", FakeOtaPorts::manifest("3.0")).error().code, "ota.busy");
    ASSERT_TRUE(service_->abort("operator pressed stop"));
    ASSERT_TRUE(reaches(S::failed, 1s));
    EXPECT_EQ(reason(), "ota.aborted");
    EXPECT_EQ(ports_.installs, 0);

    ports_.hang_downloads = false;
    ports_.hang_installs = true;
    ASSERT_TRUE(service_->begin("c-3", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::installing));
    lintel::test::run_until(
        io_, [&] { return ports_.installs == 1; }, 5s);
    EXPECT_EQ(service_->abort("too late").error().code, "ota.not_abortable");
}

TEST_F(OtaServiceTest, AbortWhileAwaitingHealthRollsBack) {
    ports_.is_healthy = false;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::awaiting_health));
    ASSERT_TRUE(service_->abort("bad release"));
    ASSERT_TRUE(reaches(S::rolled_back, 1s));
    EXPECT_EQ(reason(), "ota.aborted");
    EXPECT_EQ(ports_.rollbacks, 1);
}

// ---- a restart in each state ----

TEST_F(OtaServiceTest, ARestartWhileDownloadingResumesTheDownload) {
    ports_.hang_downloads = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    lintel::test::run_until(
        io_, [&] { return ports_.downloads == 1; }, 5s);
    ports_.hang_downloads = false;
    restart();
    ASSERT_TRUE(reaches(S::committed));
    EXPECT_EQ(ports_.downloads, 3);  // the interrupted one again, then the second artifact
    EXPECT_TRUE(log_.contains("found in state downloading: resume_download"));
}

TEST_F(OtaServiceTest, ARestartWhileVerifyingChecksTheFilesAgainBeforeInstalling) {
    // Both artifacts are on disk and the state says verifying (linteld died between the two
    // writes): the files are checked again, a tampered one is refused, nothing is installed.
    const auto record = left_verifying();
    const auto staged = dir_ / "staging" / record.release_id;
    std::filesystem::create_directories(staged);
    std::ofstream(staged / "a.bin") << "aaaaa";
    std::ofstream(staged / "b.bin") << "axa";  // not what the manifest says
    restart();
    ASSERT_TRUE(reaches(S::failed));
    EXPECT_EQ(reason(), "ota.hash_mismatch");
    EXPECT_EQ(ports_.installs, 0);
    EXPECT_FALSE(std::filesystem::exists(staged));
    EXPECT_TRUE(log_.contains("found in state verifying: verify_again"));
}

TEST_F(OtaServiceTest, AbortAfterTheDownloadAndBeforeTheInstallInstallsNothing) {
    // The emergency stop arrives while the artifacts are being checked: the install never starts.
    left_verifying();
    service_ = make_service();
    service_->start();
    ASSERT_TRUE(service_->abort("operator stop"));  // before the loop ran the verify step
    ASSERT_TRUE(reaches(S::failed));
    EXPECT_EQ(reason(), "ota.aborted");
    EXPECT_EQ(ports_.installs, 0);
}

TEST_F(OtaServiceTest, ARestartAfterTheInstallFinishedGoesOnToTheHealthCheck) {
    // lintel's own .deb: its postinst restarts linteld while the helper is still installing.
    ports_.hang_installs = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    lintel::test::run_until(
        io_, [&] { return ports_.installs == 1; }, 5s);
    ports_.installed = "2.0";  // the install completed while linteld was gone
    ports_.hang_installs = false;
    restart();
    ASSERT_TRUE(reaches(S::committed));
    EXPECT_EQ(ports_.installs, 1) << "not installed twice";
    EXPECT_EQ(db_->current().value()->previous_version, "1.0");
}

TEST_F(OtaServiceTest, AnInstallThatNeverTookEffectIsTriedOnceMoreThenRolledBack) {
    ports_.hang_installs = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    lintel::test::run_until(
        io_, [&] { return ports_.installs == 1; }, 5s);
    restart();
    lintel::test::run_until(
        io_, [&] { return ports_.installs == 2; }, 5s);
    EXPECT_EQ(db_->current().value()->attempts, 2);
    restart();
    ASSERT_TRUE(reaches(S::rolled_back));
    EXPECT_EQ(reason(), "ota.install_failed");
    EXPECT_EQ(ports_.installs, 2);
    EXPECT_EQ(ports_.rollbacks, 1);
}

TEST_F(OtaServiceTest, AnInstallNeedingARebootContinuesAfterTheReboot) {
    ports_.reboot_required = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::rebooting));
    lintel::test::run_until(
        io_, [&] { return ports_.reboots == 1; }, 5s);
    // A linteld restart without a reboot asks for the reboot again.
    restart();
    lintel::test::run_until(
        io_, [&] { return ports_.reboots == 2; }, 5s);
    EXPECT_EQ(service_->state(), S::rebooting);
    ports_.boot = "boot-2";
    restart();
    ASSERT_TRUE(reaches(S::committed));
    EXPECT_EQ(ports_.reboots, 2);
}

TEST_F(OtaServiceTest, ARebootThatNeverComesIsRolledBack) {
    ports_.reboot_required = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::rolled_back));
    EXPECT_EQ(reason(), "ota.reboot_failed");
}

TEST_F(OtaServiceTest, ARestartWhileAwaitingHealthKeepsTheDeadline) {
    ports_.is_healthy = false;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::awaiting_health));
    const auto deadline = db_->current().value()->health_deadline_ms;
    restart();
    EXPECT_EQ(db_->current().value()->health_deadline_ms, deadline);
    ASSERT_TRUE(reaches(S::rolled_back));
}

TEST_F(OtaServiceTest, ARestartWhileRollingBackRollsBackAgainAndReportsTheOutcomeOnce) {
    ports_.is_healthy = false;
    ports_.accept_reports = true;
    ASSERT_TRUE(service_->begin("c-1", FakeOtaPorts::manifest("2.0")));
    ASSERT_TRUE(reaches(S::awaiting_health));
    // Put the update where a kill -9 during the rollback leaves it.
    auto r = *db_->current().value();
    r.state = "rolling_back";
    r.reason = "ota.health_failed";
    ASSERT_TRUE(db_->save(r, "awaiting_health"));
    ports_.accept_reports = false;  // the outbox is unwritable: the outcome waits
    restart();
    ASSERT_TRUE(reaches(S::rolled_back));
    EXPECT_EQ(ports_.rollbacks, 1);
    EXPECT_FALSE(db_->current().value()->outcome_reported);
    ports_.accept_reports = true;
    const auto before = ports_.events.size();
    restart();
    EXPECT_EQ(ports_.events.size(), before + 1);
    EXPECT_EQ(ports_.events.back()["state"], "rolled_back");
    EXPECT_TRUE(ports_.events.back()["final"]);
    EXPECT_TRUE(db_->current().value()->outcome_reported);
    restart();
    EXPECT_EQ(ports_.events.size(), before + 1) << "reported once";
}

}  // namespace
}  // namespace lintel::ota::test
