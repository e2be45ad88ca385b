// linteld's OtaPorts without a helper or a network: what it accepts (with the configured keys,
// its own version for component "lintel", ota.db's committed versions and the floors), when it
// calls an update healthy, what it reports, and a helper that cannot be reached.
#include <gtest/gtest.h>

#include <fstream>

#include "app/daemon_ota_ports.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include "commands/keys.hpp"
#include "common/sha256.hpp"
#include "lintel/point.hpp"
#include "ota/manifest.hpp"
#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"

namespace lintel::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A free coroutine (not a lambda: its captures would die before the frame does).
template <typename T>
asio::awaitable<void> store_into(asio::awaitable<T> work, std::optional<T>* out) {
    *out = co_await std::move(work);
}

// Runs one port call to completion on `io` (at most 30 s).
template <typename T>
T run_awaitable(asio::io_context& io, asio::awaitable<T> work) {
    std::optional<T> out;
    asio::co_spawn(io, store_into(std::move(work), &out), asio::detached);
    EXPECT_TRUE(test::run_until(
        io, [&] { return out.has_value(); }, std::chrono::seconds(30)));
    return out ? std::move(*out) : T(make_error("test.timeout", "the call never completed"));
}

class DaemonOtaPortsTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(dir_.path() / "rel-1.pub") << key_.public_key().to_pem();
        settings_.enabled = true;
        settings_.product = "lintel-gw";
        settings_.hardware = "rev-b";
        settings_.handlers = {"deb", "file"};
        settings_.release_keys = {{"rel-1", dir_.path() / "rel-1.pub", false, {}}};
        auto db = store::OtaDb::open({dir_.path() / "ota.db", 100}, log_);
        ASSERT_TRUE(db) << db.error().message;
        db_.emplace(std::move(*db));
        hooks_.running_version = "1.4.0";
        hooks_.uplink_connected = [this] { return connected_; };
        hooks_.enqueue = [this](std::string topic, std::string payload) {
            sent_.emplace_back(std::move(topic), std::move(payload));
        };
        hooks_.audit = [this](store::AuditRecord a) { audited_.push_back(std::move(a)); };
        auto ports = DaemonOtaPorts::create(io_.get_executor(), settings_, "gw-1",
                                            dir_.path() / "no-helper.sock", *db_, hooks_, log_);
        ASSERT_TRUE(ports) << ports.error().message;
        ports_ = std::move(*ports);
    }

    std::string signed_manifest(const std::string& component, const std::string& version,
                                const std::string& handler = "deb") {
        ota::Manifest m;
        m.id = component + "-" + version;
        m.component = component;
        m.version = version;
        m.handler = handler;
        m.target.product = "lintel-gw";
        m.target.hardware = {"rev-b"};
        m.artifacts = {{"a.deb", "https://updates.example.net/a.deb",
                        common::sha256_hex("a").value_or(""), 1}};
        m.issued_at_ms = sdk::now_unix_ms() - 1000;
        auto jws = ota::sign_manifest(m, "rel-1", key_);
        EXPECT_TRUE(jws) << jws.error().message;
        return jws.value_or("");
    }

    std::string reason_of(const Expected<ota::UpdatePlan>& r) {
        return r ? "accepted" : r.error().code;
    }

    test::TempDir dir_{"lintel-ota-ports"};
    asio::io_context io_;
    test::CaptureLogger log_;
    commands::PrivateKey key_ = *commands::PrivateKey::generate(commands::KeyType::ed25519);
    core::OtaSettings settings_;
    std::optional<store::OtaDb> db_;
    DaemonOtaHooks hooks_;
    bool connected_ = true;
    std::vector<std::pair<std::string, std::string>> sent_;
    std::vector<store::AuditRecord> audited_;
    std::unique_ptr<DaemonOtaPorts> ports_;
};

TEST_F(DaemonOtaPortsTest, LintelItselfIsJudgedByTheRunningVersion) {
    EXPECT_EQ(reason_of(ports_->accept(signed_manifest("lintel", "1.4.0"), {})),
              "ota.already_installed");
    EXPECT_EQ(reason_of(ports_->accept(signed_manifest("lintel", "1.3.9"), {})), "ota.downgrade");
    auto plan = ports_->accept(signed_manifest("lintel", "1.4.1"), {});
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->component, "lintel");
    EXPECT_EQ(plan->version, "1.4.1");
    EXPECT_EQ(plan->handler, "deb");
    ASSERT_EQ(plan->artifacts.size(), 1u);
    EXPECT_EQ(plan->artifacts[0].url, "https://updates.example.net/a.deb");

    // Healthy only once the new binary runs, and only while the uplink is connected.
    EXPECT_FALSE(ports_->healthy(*plan));
    hooks_.running_version = "1.4.1";
    auto newer = DaemonOtaPorts::create(io_.get_executor(), settings_, "gw-1",
                                        dir_.path() / "no-helper.sock", *db_, hooks_, log_);
    ASSERT_TRUE(newer);
    EXPECT_TRUE((*newer)->healthy(*plan));
    connected_ = false;
    EXPECT_FALSE((*newer)->healthy(*plan));
}

TEST_F(DaemonOtaPortsTest, OtherComponentsAreJudgedByWhatWasCommittedAndTheFloor) {
    EXPECT_TRUE(ports_->accept(signed_manifest("meter-fw", "2.0", "file"), {}));
    ASSERT_TRUE(db_->record_commit("meter-fw", "2.0", "1.5", sdk::now_unix_ms()));
    EXPECT_EQ(reason_of(ports_->accept(signed_manifest("meter-fw", "2.0", "file"), {})),
              "ota.already_installed");
    EXPECT_EQ(reason_of(ports_->accept(signed_manifest("meter-fw", "1.9", "file"), {})),
              "ota.downgrade");
    EXPECT_EQ(reason_of(ports_->accept(signed_manifest("meter-fw", "2.1", "file"),
                                       {{"meter-fw", "3.0"}})),
              "ota.below_floor");
    EXPECT_TRUE(ports_->accept(signed_manifest("meter-fw", "2.1", "file"), {{"meter-fw", "2.0"}}));
}

TEST_F(DaemonOtaPortsTest, RotatedKeysApplyOnReloadAndABrokenKeyFileKeepsTheOldOnes) {
    commands::PrivateKey next = *commands::PrivateKey::generate(commands::KeyType::p256);
    const std::string before = signed_manifest("lintel", "1.5.0");
    std::ofstream(dir_.path() / "rel-2.pub") << next.public_key().to_pem();
    auto rotated = settings_;
    rotated.release_keys = {{"rel-2", dir_.path() / "rel-2.pub", false, {}},
                            {"rel-1", dir_.path() / "rel-1.pub", true, {}}};
    ASSERT_TRUE(ports_->update_settings(rotated));
    EXPECT_EQ(reason_of(ports_->accept(before, {})), "ota.revoked_key");

    auto broken = rotated;
    broken.release_keys = {{"rel-3", dir_.path() / "missing.pub", false, {}}};
    EXPECT_FALSE(ports_->update_settings(broken));
    EXPECT_EQ(reason_of(ports_->accept(before, {})), "ota.revoked_key");  // rotated still apply
}

TEST_F(DaemonOtaPortsTest, EventsGoToTheOtaTopicWithTheGateway) {
    ASSERT_TRUE(ports_->report(json{{"state", "downloading"}, {"release_id", "r-1"}}));
    ASSERT_EQ(sent_.size(), 1u);
    EXPECT_EQ(sent_[0].first, "ota");
    const auto doc = json::parse(sent_[0].second);
    EXPECT_EQ(doc.at("v"), 1);
    EXPECT_EQ(doc.at("gateway"), "gw-1");
    EXPECT_EQ(doc.at("state"), "downloading");
    EXPECT_EQ(doc.at("release_id"), "r-1");
    EXPECT_TRUE(audited_.empty()) << "only outcomes are audited";
}

TEST_F(DaemonOtaPortsTest, EveryOutcomeIsAuditedUnderItsCommand) {
    ASSERT_TRUE(ports_->report(json{{"state", "rolled_back"},
                                    {"command_id", "c-9"},
                                    {"release_id", "r-1"},
                                    {"component", "lintel"},
                                    {"version", "1.4.1"},
                                    {"reason", "ota.health_failed"},
                                    {"message", "not healthy within 600 s; rolled back to 1.4.0"},
                                    {"ts", 1000},
                                    {"final", true}}));
    ASSERT_TRUE(ports_->report(json{
        {"state", "committed"}, {"command_id", "c-10"}, {"release_id", "r-2"}, {"final", true}}));
    ASSERT_EQ(audited_.size(), 2u);
    EXPECT_EQ(audited_[0].source, "ota");
    EXPECT_EQ(audited_[0].command_id, "c-9");
    EXPECT_EQ(audited_[0].action, "ota-update");
    EXPECT_EQ(audited_[0].decision, "failed");
    EXPECT_EQ(audited_[0].reason, "ota.health_failed");
    EXPECT_EQ(audited_[0].ts_ms, 1000);
    EXPECT_NE(audited_[0].detail.find("rolled back to 1.4.0"), std::string::npos);
    EXPECT_EQ(audited_[1].decision, "executed");
    EXPECT_EQ(audited_[1].reason, "");
}

TEST_F(DaemonOtaPortsTest, AHelperThatCannotBeReachedFailsTheStepWithItsReason) {
    auto plan = ports_->accept(signed_manifest("lintel", "1.4.1"), {});
    ASSERT_TRUE(plan);
    auto installed = run_awaitable(io_, ports_->installed_version(*plan));
    ASSERT_FALSE(installed);
    EXPECT_EQ(installed.error().code, "ota.install_failed");
    EXPECT_NE(installed.error().message.find("helper_client.unreachable"), std::string::npos)
        << installed.error().message;
    auto rolled = run_awaitable(io_, ports_->rollback(*plan));
    ASSERT_FALSE(rolled);
    EXPECT_EQ(rolled.error().code, "ota.rollback_failed");
}

TEST_F(DaemonOtaPortsTest, TheBootIdIsTheKernels) {
    const std::string id = ports_->boot_id();
    EXPECT_EQ(id.size(), 36u) << id;  // a UUID
    EXPECT_EQ(id, ports_->boot_id());
}

}  // namespace
}  // namespace lintel::app
