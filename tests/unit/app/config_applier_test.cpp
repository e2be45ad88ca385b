// apply-config's trial against a scripted host and writer: what is refused before anything is
// written, what is confirmed, what is rolled back (and that the previous file is back).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "app/config_applier.hpp"
#include "commands/reason_codes.hpp"
#include "core/config_loader.hpp"
#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"

namespace lintel::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;
using commands::ConfigChange;
using commands::ConfigChangeOutcome;
using Status = ConfigChangeOutcome::Status;
namespace reason = commands::reason;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class FakeHost final : public ConfigApplyHost {
public:
    const core::Config& running_config() const override { return running; }
    const fs::path& config_path() const override { return path; }
    const fs::path& default_plugin_dir() const override { return plugin_dir; }
    void validate_candidate(const core::Config& candidate, sdk::ConfigErrors& errors) override {
        validated.push_back(candidate.devices.size());
        for (const auto& d : candidate.devices) {
            if (d.driver != "fake") errors.add(d.node, "unknown driver " + d.driver);
        }
    }
    Expected<void> reload(sdk::ConfigErrors&) override {
        ++reloads;
        for (auto& d : devices) d.health = sdk::Health::starting;  // rebuilt, as the daemon does
        return {};
    }
    bool uplink_connected() const override { return connected; }
    std::string uplink_summary() const override { return "backoff: connection refused"; }
    std::vector<core::DeviceStatus> device_statuses() const override { return devices; }

    core::Config running;
    fs::path path;
    fs::path plugin_dir = "/usr/lib/lintel/plugins";
    std::vector<std::size_t> validated;
    int reloads = 0;
    bool connected = true;
    std::vector<core::DeviceStatus> devices;
};

class ConfigApplierTest : public ::testing::Test {
protected:
    void SetUp() override {
        fs::create_directories(dir_ / "pki");
        fs::create_directories(dir_ / "devices.d");
        std::ofstream(dir_ / "ops-1.pub") << "not read here";
        main_ = main_yaml("ops-1");
        std::ofstream(dir_ / "lintel.yaml") << main_;
        host_.path = dir_ / "lintel.yaml";
        sdk::ConfigErrors errors;
        auto c =
            core::load_config(host_.path, core::LoadOptions{"/usr/lib/lintel/plugins"}, errors);
        ASSERT_TRUE(c) << errors.to_string();
        host_.running = *c;
        applier_ = std::make_unique<ConfigApplier>(
            io_.get_executor(), host_, ApplyJournal(dir_ / "config-apply.json"),
            [this](const std::string& file, const std::optional<std::string>& content,
                   std::function<void(Expected<json>)> done) {
                writes.push_back({file, content});
                if (fail_writes > 0) {
                    --fail_writes;
                    return asio::post(io_, [done] { done(make_error("helper.io", "disk full")); });
                }
                const fs::path p = dir_ / file;
                if (content) {
                    std::ofstream(p, std::ios::trunc) << *content;
                } else {
                    fs::remove(p);
                }
                asio::post(io_, [done] { done(json{{"sha256", "abc"}}); });
            },
            log_);
    }

    std::string main_yaml(const std::string& kid, const std::string& gateway = "gw-test") {
        const std::string pki = (dir_ / "pki").string();
        return "gateway: {id: " + gateway + "}\n" + "uplink:\n  host: localhost\n  tls:\n" +
               "    ca_file: " + pki + "/ca.pem\n    cert_file: " + pki +
               "/gw.pem\n    key_file: " + pki + "/gw.key\n" +
               "commands:\n  keys:\n    - {id: " + kid +
               ", public_key: " + (dir_ / "ops-1.pub").string() + ", principal: ops}\n" +
               "  principals:\n    - {name: ops, roles: [admin]}\n" +
               "  roles:\n    - {name: admin, allow: [{action: apply-config}]}\n";
    }

    ConfigChangeOutcome apply(ConfigChange change, std::chrono::milliseconds wait = 5s) {
        change.command_id = change.command_id.empty() ? "cmd-1" : change.command_id;
        change.kid = "ops-1";
        change.principal = "ops";
        std::optional<ConfigChangeOutcome> out;
        applier_->apply(std::move(change), [&](ConfigChangeOutcome o) { out = std::move(o); });
        EXPECT_TRUE(test::run_until(
            io_, [&] { return out.has_value(); }, wait));
        return out.value_or(ConfigChangeOutcome{Status::failed, "none", "no outcome", {}});
    }

    // A change to devices.d/meter.yaml, signed by ops-1 of principal ops.
    static ConfigChange fragment(std::string content, std::chrono::milliseconds confirm = 2s) {
        ConfigChange c;
        c.file = "devices.d/meter.yaml";
        c.content = std::move(content);
        c.confirm_within = confirm;
        c.kid = "ops-1";
        c.principal = "ops";
        return c;
    }

    // Starts an apply without waiting for it: `out` is set when it ends.
    void begin(ConfigChange change, std::optional<ConfigChangeOutcome>& out) {
        applier_->apply(std::move(change), [&out](ConfigChangeOutcome o) { out = std::move(o); });
    }

    bool journal_exists() const { return fs::exists(dir_ / "config-apply.json"); }

    test::TempDir dir_{"lintel-applier"};
    asio::io_context io_;
    test::CaptureLogger log_{"apply", false};
    FakeHost host_;
    std::string main_;
    std::unique_ptr<ConfigApplier> applier_;
    std::vector<std::pair<std::string, std::optional<std::string>>> writes;
    int fail_writes = 0;
};

const std::string kMeter = "devices:\n  - {name: meter-1, driver: fake}\n";

TEST_F(ConfigApplierTest, ValidFragmentIsWrittenAppliedAndConfirmed) {
    auto o = apply(fragment(kMeter));
    EXPECT_EQ(o.status, Status::applied) << o.message;
    EXPECT_EQ(read(dir_ / "devices.d/meter.yaml"), kMeter);
    EXPECT_EQ(host_.validated, std::vector<std::size_t>{1});  // the candidate had the device
    EXPECT_EQ(host_.reloads, 1);
    EXPECT_EQ(o.output["changed"], true);
    EXPECT_EQ(o.output["sha256"], "abc");
    EXPECT_FALSE(journal_exists());
    EXPECT_FALSE(applier_->on_trial());

    // The same content again: nothing written, nothing reloaded.
    o = apply(fragment(kMeter));
    EXPECT_EQ(o.status, Status::applied);
    EXPECT_EQ(o.output["changed"], false);
    EXPECT_EQ(writes.size(), 1U);
    EXPECT_EQ(host_.reloads, 1);
}

TEST_F(ConfigApplierTest, InvalidCandidateIsRefusedBeforeAnythingIsWritten) {
    auto o = apply(fragment("devices:\n  - {name: m, driver: nosuch}\n"));
    EXPECT_EQ(o.status, Status::refused);
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_NE(o.message.find("unknown driver nosuch"), std::string::npos) << o.message;
    EXPECT_EQ(o.output["errors"].size(), 1U);

    o = apply(fragment("devices: [unclosed\n"));
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_NE(o.message.find("meter.yaml"), std::string::npos) << o.message;  // names the file

    ConfigChange main;
    main.file = "lintel.yaml";
    main.content = "gateway: {id: gw-test}\nuplink: {host: x}\n";  // no tls
    o = apply(main);
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_TRUE(writes.empty());
    EXPECT_EQ(host_.reloads, 0);
    EXPECT_EQ(read(dir_ / "lintel.yaml"), main_);
    EXPECT_FALSE(fs::exists(dir_ / "devices.d/meter.yaml"));
    EXPECT_FALSE(journal_exists());
}

TEST_F(ConfigApplierTest, ChangesThatWouldLockTheCloudOutAreRefused) {
    ConfigChange c;
    c.file = "lintel.yaml";
    c.content = main_yaml("ops-2");  // the signing key ops-1 would be gone
    auto o = apply(c);
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_NE(o.message.find("ops-1"), std::string::npos) << o.message;

    c.content = main_yaml("ops-1", "gw-other");
    o = apply(c);
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_NE(o.message.find("gateway.id"), std::string::npos) << o.message;

    c.content = main_ + "plugins: {dir: /tmp}\n";
    o = apply(c);
    EXPECT_EQ(o.reason, reason::bad_config);
    EXPECT_NE(o.message.find("plugins.dir"), std::string::npos) << o.message;
    EXPECT_TRUE(writes.empty());
}

TEST_F(ConfigApplierTest, UplinkThatDoesNotConnectRollsBack) {
    host_.connected = false;
    auto o = apply(fragment(kMeter, 600ms));
    EXPECT_EQ(o.status, Status::failed);
    EXPECT_EQ(o.reason, reason::rolled_back);
    EXPECT_NE(o.message.find("uplink did not connect"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("connection refused"), std::string::npos) << o.message;
    EXPECT_EQ(o.output["rolled_back"], true);
    // The fragment did not exist before: the rollback removes it, and applies that.
    ASSERT_EQ(writes.size(), 2U);
    EXPECT_FALSE(writes[1].second.has_value());
    EXPECT_FALSE(fs::exists(dir_ / "devices.d/meter.yaml"));
    EXPECT_EQ(host_.reloads, 2);
    EXPECT_FALSE(journal_exists());
}

TEST_F(ConfigApplierTest, MainFileRollbackRestoresThePreviousContent) {
    host_.connected = false;
    ConfigChange c;
    c.file = "lintel.yaml";
    c.content = main_ + "log: {level: debug}\n";
    c.confirm_within = 400ms;
    auto o = apply(c);
    EXPECT_EQ(o.reason, reason::rolled_back);
    EXPECT_EQ(read(dir_ / "lintel.yaml"), main_);
}

TEST_F(ConfigApplierTest, DeviceThatWorkedAndStopsWorkingRollsBack) {
    host_.devices = {{"meter-0", "fake", sdk::Health::ok, "", 0}};
    std::optional<ConfigChangeOutcome> out;
    begin(fragment(kMeter, 1s), out);
    // After the write, meter-0 goes down (its new settings are wrong).
    ASSERT_TRUE(test::run_until(
        io_, [&] { return host_.reloads == 1; }, 5s));
    host_.devices[0].health = sdk::Health::down;
    host_.devices[0].detail = "connection refused";
    ASSERT_TRUE(test::run_until(
        io_, [&] { return out.has_value(); }, 5s));
    EXPECT_EQ(out->reason, reason::rolled_back);
    EXPECT_NE(out->message.find("device meter-0"), std::string::npos) << out->message;
    EXPECT_FALSE(fs::exists(dir_ / "devices.d/meter.yaml"));
}

TEST_F(ConfigApplierTest, TrialWaitsForDevicesThatWorkedToWorkAgain) {
    host_.devices = {{"meter-0", "fake", sdk::Health::degraded, "", 0},
                     {"broken", "fake", sdk::Health::down, "", 0}};
    std::optional<ConfigChangeOutcome> out;
    begin(fragment(kMeter, 5s), out);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return host_.reloads == 1; }, 5s));
    EXPECT_FALSE(test::run_until(
        io_, [&] { return out.has_value(); }, 600ms));  // starting
    host_.devices[0].health = sdk::Health::ok;  // "broken" did not work before: not required
    ASSERT_TRUE(test::run_until(
        io_, [&] { return out.has_value(); }, 5s));
    EXPECT_EQ(out->status, Status::applied) << out->message;
}

TEST_F(ConfigApplierTest, ASecondApplyDuringTheTrialIsBusy) {
    host_.connected = false;
    std::optional<ConfigChangeOutcome> first;
    auto c = fragment(kMeter, 1s);
    c.command_id = "cmd-first";
    begin(c, first);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return host_.reloads == 1; }, 5s));
    auto second = apply(fragment("devices: []\n"));
    EXPECT_EQ(second.reason, reason::busy);
    EXPECT_NE(second.message.find("cmd-first"), std::string::npos) << second.message;
    ASSERT_TRUE(test::run_until(
        io_, [&] { return first.has_value(); }, 5s));
    EXPECT_EQ(first->reason, reason::rolled_back);
}

TEST_F(ConfigApplierTest, FailedWriteChangesNothing) {
    fail_writes = 1;
    auto o = apply(fragment(kMeter));
    EXPECT_EQ(o.status, Status::failed);
    EXPECT_EQ(o.reason, reason::failed);
    EXPECT_NE(o.message.find("disk full"), std::string::npos) << o.message;
    EXPECT_EQ(host_.reloads, 0);
    EXPECT_FALSE(journal_exists());
    // Nothing left behind: the next apply goes through.
    EXPECT_EQ(apply(fragment(kMeter)).status, Status::applied);
}

TEST_F(ConfigApplierTest, FailedRollbackKeepsTheJournalAndRefusesNewChanges) {
    host_.connected = false;
    fail_writes = 0;
    std::optional<ConfigChangeOutcome> out;
    begin(fragment(kMeter, 300ms), out);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return host_.reloads == 1; }, 5s));
    fail_writes = 1;  // the rollback's write fails
    ASSERT_TRUE(test::run_until(
        io_, [&] { return out.has_value(); }, 5s));
    EXPECT_EQ(out->reason, reason::failed);
    EXPECT_NE(out->message.find("next start"), std::string::npos) << out->message;
    EXPECT_TRUE(journal_exists());  // the start-up recovery's input
    host_.connected = true;
    EXPECT_EQ(apply(fragment("devices: []\n")).reason, reason::busy);
}

TEST_F(ConfigApplierTest, LayoutTheHelperCannotWriteIsRefused) {
    core::Config running = host_.running;
    running.devices_dir = "/srv/devices";
    auto p = config_file_path("devices.d/x.yaml", host_.path, running);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("/srv/devices"), std::string::npos);
    p = config_file_path("lintel.yaml", dir_ / "site.yaml", running);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error().message.find("site.yaml"), std::string::npos);
    p = config_file_path("devices.d/x.yaml", host_.path, host_.running);
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, dir_ / "devices.d/x.yaml");
}

}  // namespace
}  // namespace lintel::app
