// The actions' argument rules and outcomes against a scripted gateway: every bad argument is a
// rejection with cmd.bad_args (never a guess), writes stay within the declared limits, and
// shun/unshun/revoke-key change what they say.
#include <gtest/gtest.h>

#include <fstream>

#include "commands/actions.hpp"
#include "commands/reason_codes.hpp"
#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

class FakeOps final : public GatewayOps {
public:
    json status() override { return json{{"fake", true}}; }
    json redacted_config() override { return json{{"config", "redacted"}}; }
    std::optional<sdk::WritablePoint> writable(std::string_view device,
                                               std::string_view point) override {
        if (device == "ahu-1" && point == "setpoint")
            return sdk::WritablePoint{"setpoint", sdk::ValueKind::real, 10.0, 30.0};
        return std::nullopt;
    }
    std::optional<json> latest_value(std::string_view, std::string_view point) override {
        if (point == "temp") return json{{"value", 21.0}};
        return std::nullopt;
    }
    bool has_device(std::string_view device) override { return device == "ahu-1"; }
    void write_point(const std::string& device, const std::string& point, const sdk::Value& value,
                     std::function<void(Expected<void>)> done) override {
        writes.push_back(device + "/" + point + "=" + std::to_string(std::get<double>(value)));
        if (fail_writes) {
            done(make_error("modbus.exception", "illegal data value"));
        } else {
            done({});
        }
    }
    void set_log_level(sdk::LogLevel level) override { log_level = level; }
    void reload_config(std::function<void(Expected<json>)> done) override {
        done(json{{"reloaded", true}});
    }
    Expected<void> restart_device(const std::string& device) override {
        restarted.push_back(device);
        return {};
    }
    void apply_config(ConfigChange change, std::function<void(ConfigChangeOutcome)> done) override {
        changes.push_back(change);
        done(next_change_outcome);
    }

    Expected<json> ota_update(const std::string& command_id, const std::string& manifest) override {
        ota_calls.push_back("update " + command_id + " " + manifest);
        return next_ota;
    }
    Expected<json> ota_abort(const std::string& why) override {
        ota_calls.push_back("abort " + why);
        return next_ota;
    }
    Expected<json> ota_status() override {
        ota_calls.push_back("status");
        return next_ota;
    }

    void set_credentials(const std::string& command_id, const std::string& kid,
                         const std::string& principal, std::string envelope,
                         std::function<void(ConfigChangeOutcome)> done) override {
        credential_calls.push_back(command_id + " " + kid + " " + principal + " " + envelope);
        done(next_credentials_outcome);
    }

    std::vector<std::string> credential_calls;
    ConfigChangeOutcome next_credentials_outcome{ConfigChangeOutcome::Status::applied, "",
                                                 "authorized", json{{"state", "authorized"}}};
    std::vector<std::string> ota_calls;
    Expected<json> next_ota = json{{"state", "downloading"}};
    std::vector<ConfigChange> changes;
    ConfigChangeOutcome next_change_outcome{ConfigChangeOutcome::Status::applied, "", "applied",
                                            json{{"changed", true}}};
    std::vector<std::string> writes;
    bool fail_writes = false;
    std::optional<sdk::LogLevel> log_level;
    std::vector<std::string> restarted;
};

class ActionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        store::CommandDbOptions o;
        o.path = dir_ / "commands.db";
        auto s = store::CommandStore::start(o, io_.get_executor(), log_);
        ASSERT_TRUE(s) << s.error().message;
        store_ = std::move(*s);
        auto key = PrivateKey::generate(KeyType::ed25519);
        std::ofstream(dir_ / "ops-1.pub") << key->public_key().to_pem();
        settings_.enabled = true;
        settings_.keys = {core::CommandKey{"ops-1", dir_ / "ops-1.pub", "ops", false, {}}};
        settings_.principals = {{"ops", {}, {}}};
        sdk::ConfigErrors errors;
        auto trust = TrustStore::load(settings_, errors);
        ASSERT_TRUE(trust) << errors.to_string();
        trust_ = std::move(*trust);
    }
    void TearDown() override { store_->stop(); }

    ActionOutcome run(const std::string& action, json args) {
        CommandEnvelope c;
        c.action = action;
        c.args = std::move(args);
        std::optional<ActionOutcome> out;
        c.id = "cmd-1";
        c.kid = "ops-1";
        run_action(c, ActionContext{ops_, policy_, trust_, *store_, settings_, now_, 1000, "ops"},
                   [&](ActionOutcome o) { out = std::move(o); });
        EXPECT_TRUE(test::run_until(
            io_, [&] { return out.has_value(); }, 5s));
        return out.value_or(ActionOutcome{});
    }
    std::string rejection(const std::string& action, json args) {
        auto o = run(action, std::move(args));
        EXPECT_EQ(o.status, ResultStatus::rejected) << o.detail;
        return o.reason.value_or("none");
    }

    test::TempDir dir_{"lintel-actions"};
    asio::io_context io_;
    test::CaptureLogger log_{"actions", false};
    std::unique_ptr<store::CommandStore> store_;
    core::CommandsSettings settings_;
    Policy policy_{settings_};
    TrustStore trust_;
    FakeOps ops_;
    Clock::time_point now_ = Clock::now();
};

TEST_F(ActionsTest, UnknownArgumentsAreRefusedNotIgnored) {
    EXPECT_EQ(rejection("ping", {{"loud", true}}), reason::bad_args);
    EXPECT_EQ(rejection("get-status", {{"x", 1}}), reason::bad_args);
    EXPECT_EQ(rejection("read-point", {{"device", "ahu-1"}, {"point", "temp"}, {"extra", 1}}),
              reason::bad_args);
    EXPECT_EQ(run("ping", json::object()).status, ResultStatus::ok);
}

TEST_F(ActionsTest, TargetsNeedADeviceAndAPoint) {
    CommandEnvelope c;
    c.action = "write-point";
    c.args = {{"device", "ahu-1"}};
    auto t = target_of(c);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, reason::bad_args);
    c.args = {{"device", "ahu-1"}, {"point", "setpoint"}, {"value", 20.0}};
    ASSERT_TRUE(target_of(c));
    EXPECT_EQ(*target_of(c)->point, "setpoint");
    c.action = "ping";
    c.args = json::object();
    EXPECT_FALSE(target_of(c)->device);
}

TEST_F(ActionsTest, WritesStayWithinWhatTheDeviceDeclared) {
    EXPECT_EQ(
        rejection("write-point", {{"device", "chiller"}, {"point", "setpoint"}, {"value", 20.0}}),
        reason::bad_args)
        << "no such device";
    EXPECT_EQ(rejection("write-point", {{"device", "ahu-1"}, {"point", "fan"}, {"value", 1.0}}),
              reason::not_writable);
    EXPECT_EQ(
        rejection("write-point", {{"device", "ahu-1"}, {"point", "setpoint"}, {"value", 31.0}}),
        reason::out_of_range);
    EXPECT_EQ(rejection("write-point", {{"device", "ahu-1"}, {"point", "setpoint"}}),
              reason::bad_args);
    EXPECT_EQ(rejection("write-point",
                        {{"device", "ahu-1"}, {"point", "setpoint"}, {"value", json::array()}}),
              reason::bad_args);
    EXPECT_TRUE(ops_.writes.empty()) << "nothing refused reached the device";

    auto ok = run("write-point", {{"device", "ahu-1"}, {"point", "setpoint"}, {"value", 21.5}});
    EXPECT_EQ(ok.status, ResultStatus::ok) << ok.detail;
    EXPECT_EQ(ops_.writes, std::vector<std::string>{"ahu-1/setpoint=21.500000"});

    ops_.fail_writes = true;
    auto failed = run("write-point", {{"device", "ahu-1"}, {"point", "setpoint"}, {"value", 22.0}});
    EXPECT_EQ(failed.status, ResultStatus::failed);
    EXPECT_EQ(failed.reason, std::string(reason::failed));
    EXPECT_NE(failed.detail.find("illegal data value"), std::string::npos);
}

TEST_F(ActionsTest, ReadPointAndLogLevel) {
    EXPECT_EQ(run("read-point", {{"device", "ahu-1"}, {"point", "temp"}}).output.at("value"), 21.0);
    EXPECT_EQ(run("read-point", {{"device", "ahu-1"}, {"point", "nothing"}}).status,
              ResultStatus::failed);
    EXPECT_EQ(rejection("set-log-level", {{"level", "verbose"}}), reason::bad_args);
    EXPECT_FALSE(ops_.log_level);
    EXPECT_EQ(run("set-log-level", {{"level", "debug"}}).status, ResultStatus::ok);
    EXPECT_EQ(ops_.log_level, sdk::LogLevel::debug);
}

TEST_F(ActionsTest, RestartDriverNeedsAnExistingDevice) {
    EXPECT_EQ(rejection("restart-driver", {{"device", "chiller"}}), reason::bad_args);
    EXPECT_EQ(rejection("restart-driver", {{"device", "ahu-1"}, {"now", true}}), reason::bad_args);
    EXPECT_TRUE(ops_.restarted.empty());
    EXPECT_EQ(run("restart-driver", {{"device", "ahu-1"}}).status, ResultStatus::ok);
    EXPECT_EQ(ops_.restarted, std::vector<std::string>{"ahu-1"});
}

TEST_F(ActionsTest, ShunUnshunAndRevokeDoWhatTheySay) {
    EXPECT_EQ(rejection("shun", {{"who", "ops-1"}}), reason::bad_args) << "key: or principal:";
    EXPECT_EQ(rejection("shun", {{"who", "key:ops-1"}, {"for", "forever"}}), reason::bad_args);
    EXPECT_EQ(run("shun", {{"who", "key:ops-1"}, {"for", "10m"}}).status, ResultStatus::ok);
    EXPECT_TRUE(policy_.shunned_until("key:ops-1", now_ + 9min));
    EXPECT_FALSE(policy_.shunned_until("key:ops-1", now_ + 11min));
    auto lifted = run("unshun", {{"who", "key:ops-1"}});
    EXPECT_EQ(lifted.output.at("was_shunned"), true);
    EXPECT_FALSE(policy_.shunned_until("key:ops-1", now_));

    EXPECT_EQ(rejection("revoke-key", {{"kid", "nobody"}}), reason::bad_args);
    EXPECT_EQ(run("revoke-key", {{"kid", "ops-1"}}).status, ResultStatus::ok);
    EXPECT_TRUE(trust_.find("ops-1")->revoked);
    std::optional<std::vector<std::string>> persisted;
    store_->revoked_keys([&](auto r) { persisted = r.value_or(std::vector<std::string>{}); });
    ASSERT_TRUE(test::run_until(
        io_, [&] { return persisted.has_value(); }, 5s));
    EXPECT_EQ(*persisted, std::vector<std::string>{"ops-1"}) << "survives a restart";

    EXPECT_EQ(rejection("get-audit", {{"limit", 0}}), reason::bad_args);
    EXPECT_EQ(rejection("get-audit", {{"since", "yesterday"}}), reason::bad_args);
    EXPECT_EQ(run("get-audit", {{"limit", 10}}).status, ResultStatus::ok);
}

TEST_F(ActionsTest, ApplyConfigArgumentsAreStrict) {
    EXPECT_EQ(rejection("apply-config", {{"content", "x: 1"}}), reason::bad_args);  // no file
    for (const char* file :
         {"../lintel.yaml", "devices.d/../x.yaml", "devices.d/a/b.yaml", "devices.d/.hidden.yaml",
          "devices.d/x.yml", "other.yaml", "devices.d/.yaml", "/etc/lintel/lintel.yaml"}) {
        EXPECT_EQ(rejection("apply-config", {{"file", file}, {"content", "x: 1"}}),
                  reason::bad_args)
            << file;
    }
    EXPECT_EQ(rejection("apply-config", {{"file", "lintel.yaml"}}), reason::bad_args);
    EXPECT_EQ(rejection("apply-config",
                        {{"file", "devices.d/a.yaml"}, {"content", "x"}, {"remove", true}}),
              reason::bad_args);
    EXPECT_EQ(rejection("apply-config", {{"file", "lintel.yaml"}, {"remove", true}}),
              reason::bad_args);
    EXPECT_EQ(rejection("apply-config", {{"file", "devices.d/a.yaml"}, {"remove", false}}),
              reason::bad_args);
    EXPECT_EQ(rejection("apply-config", {{"file", "devices.d/a.yaml"}, {"content", 5}}),
              reason::bad_args);
    for (const char* d : {"5s", "31m", "soon"}) {
        EXPECT_EQ(rejection("apply-config",
                            {{"file", "lintel.yaml"}, {"content", "x"}, {"confirm_within", d}}),
                  reason::bad_args)
            << d;
    }
    EXPECT_EQ(rejection("apply-config", {{"file", "lintel.yaml"}, {"content", "x"}, {"y", 1}}),
              reason::bad_args);
    EXPECT_TRUE(ops_.changes.empty());
}

TEST_F(ActionsTest, ApplyConfigPassesTheChangeAndWhoSignedIt) {
    auto o = run("apply-config", {{"file", "devices.d/meter-2.yaml"},
                                  {"content", "devices: []\n"},
                                  {"confirm_within", "45s"}});
    EXPECT_EQ(o.status, ResultStatus::ok) << o.detail;
    ASSERT_EQ(ops_.changes.size(), 1U);
    const auto& c = ops_.changes[0];
    EXPECT_EQ(c.file, "devices.d/meter-2.yaml");
    EXPECT_EQ(c.content, std::optional<std::string>("devices: []\n"));
    EXPECT_EQ(c.confirm_within, 45s);
    EXPECT_EQ(c.command_id, "cmd-1");
    EXPECT_EQ(c.kid, "ops-1");
    EXPECT_EQ(c.principal, "ops");

    ops_.next_change_outcome =
        ConfigChangeOutcome{ConfigChangeOutcome::Status::failed, std::string(reason::rolled_back),
                            "rolled back: uplink", json{{"rolled_back", true}}};
    o = run("apply-config", {{"file", "devices.d/meter-2.yaml"}, {"remove", true}});
    EXPECT_EQ(o.status, ResultStatus::failed);
    EXPECT_EQ(o.reason, std::optional<std::string>(reason::rolled_back));
    EXPECT_EQ(o.output["rolled_back"], true);
    EXPECT_EQ(o.output["error"], "rolled back: uplink");
    EXPECT_FALSE(ops_.changes.back().content.has_value());
    EXPECT_EQ(ops_.changes.back().confirm_within, 120s);  // the default
}

TEST_F(ActionsTest, OtaActionsPassTheManifestAndSayWhoAborted) {
    auto started = run("ota-update", {{"manifest", "eyJ.eyJ.sig"}});
    EXPECT_EQ(started.status, ResultStatus::ok);
    EXPECT_EQ(started.output["state"], "downloading");
    EXPECT_EQ(run("ota-abort", {{"reason", "bad batch"}}).status, ResultStatus::ok);
    EXPECT_EQ(run("ota-status", json::object()).status, ResultStatus::ok);
    EXPECT_EQ(ops_.ota_calls,
              (std::vector<std::string>{"update cmd-1 eyJ.eyJ.sig",
                                        "abort ota-abort by ops: bad batch", "status"}));

    EXPECT_EQ(rejection("ota-update", json::object()), reason::bad_args);
    EXPECT_EQ(rejection("ota-update", {{"manifest", 7}}), reason::bad_args);
    EXPECT_EQ(rejection("ota-update", {{"manifest", std::string(64 * 1024 + 1, 'a')}}),
              reason::bad_args);
    EXPECT_EQ(rejection("ota-update", {{"manifest", "x"}, {"force", true}}), reason::bad_args);
    EXPECT_EQ(rejection("ota-abort", {{"reason", std::string(201, 'r')}}), reason::bad_args);
    EXPECT_EQ(rejection("ota-status", {{"all", true}}), reason::bad_args);
    EXPECT_EQ(ops_.ota_calls.size(), 3U) << "nothing reached the OTA service";
}

TEST_F(ActionsTest, OtaRefusalsCarryTheirReason) {
    ops_.next_ota = make_error("ota.bad_signature", "manifest signature does not verify");
    auto refused = run("ota-update", {{"manifest", "eyJ.eyJ.sig"}});
    EXPECT_EQ(refused.status, ResultStatus::rejected);
    EXPECT_EQ(refused.reason, "ota.bad_signature");
    ops_.next_ota = make_error("ota.store", "ota.db is read-only");
    auto broken = run("ota-update", {{"manifest", "eyJ.eyJ.sig"}});
    EXPECT_EQ(broken.status, ResultStatus::failed);
    EXPECT_EQ(broken.reason, "ota.store");
}

TEST_F(ActionsTest, SetCredentialsPassesTheEnvelopeAndWhoAsked) {
    auto o = run("set-credentials", {{"envelope", "MIIB"}});
    EXPECT_EQ(o.status, ResultStatus::ok);
    EXPECT_EQ(o.output.at("state"), "authorized");
    ASSERT_EQ(ops_.credential_calls.size(), 1u);
    EXPECT_EQ(ops_.credential_calls[0], "cmd-1 ops-1 ops MIIB");
}

TEST_F(ActionsTest, SetCredentialsArgumentsAreStrict) {
    for (const json& args : {json::object(), json{{"envelope", ""}}, json{{"envelope", 7}},
                             json{{"envelope", "MIIB"}, {"interface", "eth1"}},
                             json{{"envelope", std::string(90 * 1024 + 1, 'A')}}}) {
        auto o = run("set-credentials", args);
        EXPECT_EQ(o.status, ResultStatus::rejected) << args.dump().substr(0, 80);
        EXPECT_EQ(o.reason, "cmd.bad_args") << args.dump().substr(0, 80);
    }
    EXPECT_TRUE(ops_.credential_calls.empty());
}

TEST_F(ActionsTest, SetCredentialsRefusalsAndRollbacksKeepTheirCodes) {
    ops_.next_credentials_outcome = {ConfigChangeOutcome::Status::refused, "cred.not_for_us",
                                     "no recipient is this gateway", json::object()};
    auto refused = run("set-credentials", {{"envelope", "MIIB"}});
    EXPECT_EQ(refused.status, ResultStatus::rejected);
    EXPECT_EQ(refused.reason, "cred.not_for_us");
    EXPECT_EQ(refused.output.at("error"), "no recipient is this gateway");

    ops_.next_credentials_outcome = {ConfigChangeOutcome::Status::failed, "cred.rolled_back",
                                     "did not authorize", json{{"rolled_back", true}}};
    auto rolled = run("set-credentials", {{"envelope", "MIIB"}});
    EXPECT_EQ(rolled.status, ResultStatus::failed);
    EXPECT_EQ(rolled.reason, "cred.rolled_back");
    EXPECT_EQ(rolled.output.at("rolled_back"), true);
}

}  // namespace
}  // namespace lintel::commands
