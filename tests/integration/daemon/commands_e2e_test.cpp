// Cloud commands end to end: signed JWS published by the "cloud" on {prefix}/{gw}/cmd through a
// real mosquitto with mTLS, linteld verifying, authorising and executing against a real Modbus
// peer, signed results on cmd/result (verified with the gateway certificate), audit records on
// audit, security events on events. Every attack is refused with its reason and audited, and
// the daemon keeps serving valid commands.
#include "commands_fixture.hpp"

#include <set>

namespace lintel::test {
namespace {

using commands::CommandEnvelope;
using commands::KeyType;
using commands::PrivateKey;
namespace reason = commands::reason;

TEST_F(CommandsTest, AValidWriteChangesTheRegisterAndTheSignedResultSaysSo) {
    start_and_wait_for_commands();
    auto c = command("write-point", {{"device", "meter"}, {"point", "target"}, {"value", 21.5}});
    send(sign(c, ops_));
    auto r = result_for(c.id);
    ASSERT_TRUE(r) << daemon_log();
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    EXPECT_EQ(r->gateway, kGateway);
    ASSERT_TRUE(wait_until([&] { return peer_->must("get hr 30") == "215"; }, 5s))
        << "21.5 with scale 0.1 is 215 in the register, got " << peer_->must("get hr 30")
        << "; result " << r->output.dump();
    // Accounted: an audit record through the outbox, and the journal line.
    ASSERT_TRUE(wait_until([&] { return !audit_records().empty(); }, 5s));
    const auto a = audit_records().back();
    EXPECT_EQ(a.at("id"), c.id);
    EXPECT_EQ(a.at("decision"), "executed");
    EXPECT_EQ(a.at("principal"), "ops");
    EXPECT_TRUE(wait_log("command executed", 5s));

    auto ping = command("ping");
    send(sign(ping, ops_));
    auto pong = result_for(ping.id);
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->output.at("pong"), true);

    // The retained status grows: devices' health, certificate expiry, the last command.
    ASSERT_TRUE(wait_until(
        [&] {
            auto s = latest_status();
            return s && s->contains("commands") && s->at("commands").is_object() &&
                   s->at("commands").value("executed", 0) >= 2;
        },
        10s));
    const auto status = *latest_status();
    EXPECT_EQ(status.at("devices").at(0).at("name"), "meter");
    EXPECT_EQ(status.at("devices").at(0).at("health"), "ok");
    EXPECT_GT(status.at("certificate").at("expires_in_days").get<int>(), 0);
    EXPECT_EQ(status.at("commands").at("last").at("action"), "ping");
}

TEST_F(CommandsTest, EveryAttackIsRefusedWithItsReasonAndTheDaemonKeepsServing) {
    start_and_wait_for_commands();
    auto valid = command("ping");
    const std::string valid_jws = sign(valid, ops_);
    send(valid_jws);
    ASSERT_TRUE(result_for(valid.id));

    EXPECT_EQ(reason_of(valid_jws, valid.id), reason::replayed);
    auto forged = command("ping");
    EXPECT_EQ(reason_of(sign(forged, rogue_), forged.id), reason::bad_signature);
    auto unknown = command("ping");
    unknown.kid = "nobody-1";
    EXPECT_EQ(reason_of(sign(unknown, rogue_), unknown.id), reason::unknown_key);
    auto revoked = command("ping");
    revoked.kid = "old-1";
    EXPECT_EQ(reason_of(sign(revoked, old_), revoked.id), reason::revoked_key);
    auto stale = command("ping");
    stale.issued_at_ms -= 10 * 60'000;  // commands.max_age is 5 min; still unexpired
    stale.expires_at_ms = now_ms() + 5 * 60'000;
    EXPECT_EQ(reason_of(sign(stale, ops_), stale.id), reason::stale);
    auto expired = command("ping");
    expired.issued_at_ms -= 3 * 60'000;
    expired.expires_at_ms = expired.issued_at_ms + 60'000;
    EXPECT_EQ(reason_of(sign(expired, ops_), expired.id), reason::expired);
    auto future = command("ping");
    future.issued_at_ms += 10 * 60'000;
    future.expires_at_ms = future.issued_at_ms + 60'000;
    EXPECT_EQ(reason_of(sign(future, ops_), future.id), reason::future);
    auto elsewhere = command("ping");
    elsewhere.gateway = "gw-other";
    EXPECT_EQ(reason_of(sign(elsewhere, ops_), elsewhere.id), reason::wrong_gateway);
    auto not_allowed = command("set-log-level", {{"level", "debug"}});
    EXPECT_EQ(reason_of(sign(not_allowed, ops_), not_allowed.id), reason::unauthorised);
    auto not_writable =
        command("write-point", {{"device", "meter"}, {"point", "setpoint"}, {"value", 1}});
    EXPECT_EQ(reason_of(sign(not_writable, ops_), not_writable.id), reason::unauthorised)
        << "the role grants only meter/target";
    auto too_high =
        command("write-point", {{"device", "meter"}, {"point", "target"}, {"value", 99}});
    EXPECT_EQ(reason_of(sign(too_high, ops_), too_high.id), reason::out_of_range);
    EXPECT_EQ(reason_of("this is not a command", std::nullopt), reason::malformed);
    EXPECT_EQ(reason_of(std::string(20'000, 'A'), std::nullopt), reason::too_large);

    // Still serving, and every refusal is in the audit trail with its reason.
    auto after = command("ping");
    send(sign(after, ops_));
    auto r = result_for(after.id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, commands::ResultStatus::ok);
    ASSERT_TRUE(wait_until([&] { return audit_records().size() >= 15; }, 10s))
        << audit_records().size();
    std::set<std::string> reasons;
    for (const auto& a : audit_records()) reasons.insert(a.at("reason").get<std::string>());
    for (auto code :
         {reason::replayed, reason::bad_signature, reason::unknown_key, reason::revoked_key,
          reason::stale, reason::expired, reason::future, reason::wrong_gateway,
          reason::unauthorised, reason::out_of_range, reason::malformed, reason::too_large}) {
        EXPECT_TRUE(reasons.contains(std::string(code))) << code;
    }
    EXPECT_TRUE(daemon_->running());
}

TEST_F(CommandsTest, AReplayIsRefusedEvenAfterARestart) {
    start_and_wait_for_commands();
    auto c = command("ping");
    const std::string jws = sign(c, ops_);
    send(jws);
    ASSERT_TRUE(result_for(c.id));
    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->wait_exit(10s));
    start_and_wait_for_commands();
    EXPECT_EQ(reason_of(jws, c.id), reason::replayed);
}

TEST_F(CommandsTest, RepeatedRejectionsRaiseASecurityEventAndShunTheKeyForAWhile) {
    write_main_config(commands_yaml(3));
    start_and_wait_for_commands();
    // Authenticated but refused three times (threshold 3): the key is shunned for 3 s.
    for (int i = 0; i < 3; ++i) {
        auto c = command("set-log-level", {{"level", "debug"}});
        EXPECT_EQ(reason_of(sign(c, ops_), c.id), reason::unauthorised);
    }
    ASSERT_TRUE(wait_until(
        [&] { return !observer_->messages_on("lintel/v1/" + kGateway + "/events").empty(); }, 5s));
    const auto event = nlohmann::json::parse(
        observer_->messages_on("lintel/v1/" + kGateway + "/events").back().payload);
    EXPECT_EQ(event.at("event"), "command-rejections");
    EXPECT_EQ(event.at("source"), "key:ops-1");
    EXPECT_NE(event.at("action_taken").get<std::string>().find("shunned key:ops-1"),
              std::string::npos);
    auto during = command("ping");
    EXPECT_EQ(reason_of(sign(during, ops_), during.id), reason::shunned);
    // The shun expires.
    ASSERT_TRUE(wait_until(
        [&] {
            auto c = command("ping");
            send(sign(c, ops_));
            auto r = result_for(c.id, 2s);
            return r && r->status == commands::ResultStatus::ok;
        },
        10s, 500ms));
}

TEST_F(CommandsTest, AShunOutlivesARestart) {
    write_main_config(commands_yaml(100, "50/1m", "synced", "        - {action: shun}\n"));
    start_and_wait_for_commands();
    auto shun = command("shun", {{"who", "key:ops-1"}, {"for", "10m"}});
    send(sign(shun, ops_));
    auto r = result_for(shun.id);
    ASSERT_TRUE(r) << daemon_log();
    ASSERT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->wait_exit(10s));
    start_and_wait_for_commands();
    EXPECT_TRUE(wait_log("a recorded shun is in force", 5s));
    auto ping = command("ping");
    EXPECT_EQ(reason_of(sign(ping, ops_), ping.id), reason::shunned);
}

TEST_F(CommandsTest, LintelctlSeesTheRunningDaemonAndItsAuditTrail) {
    start_and_wait_for_commands();
    auto c = command("ping");
    send(sign(c, ops_));
    ASSERT_TRUE(result_for(c.id));
    auto run = [&](std::vector<std::string> args) {
        std::vector<std::string> argv{(fs::path(LINTEL_BUILD_DIR) / "bin" / "lintelctl").string(),
                                      "--socket", (dir_->path() / "control.sock").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto p = Process::spawn(ProcessOptions::of(argv)
                                    .with_stdout(Output::to_file(dir_->path() / "ctl.out"))
                                    .with_stderr(Output::to_file(dir_->path() / "ctl.err")));
        auto st = p ? p->wait_exit(20s) : std::nullopt;
        return std::make_pair(st && st->exited ? st->code : -1,
                              read_file(dir_->path() / "ctl.out").value_or("") +
                                  read_file(dir_->path() / "ctl.err").value_or(""));
    };
    auto [code, out] = run({"--json", "status"});
    ASSERT_EQ(code, 0) << out;
    const auto status = nlohmann::json::parse(out);
    EXPECT_EQ(status.at("gateway_id"), kGateway);
    EXPECT_EQ(status.at("link").at("state"), "connected");
    auto [acode, audit] = run({"audit", "--since", "1h"});
    ASSERT_EQ(acode, 0) << audit;
    EXPECT_NE(audit.find("ping"), std::string::npos) << audit;
    auto [pcode, points] = run({"--json", "points", "--device", "meter"});
    ASSERT_EQ(pcode, 0) << points;
    EXPECT_FALSE(nlohmann::json::parse(points).at("points").empty());
}

TEST_F(CommandsTest, ThePrincipalsRateLimitRefusesTheExcess) {
    write_main_config(commands_yaml(100, "3/1m"));
    start_and_wait_for_commands();
    for (int i = 0; i < 3; ++i) {
        auto c = command("ping");
        send(sign(c, ops_));
        auto r = result_for(c.id);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, commands::ResultStatus::ok) << i;
    }
    auto excess = command("ping");
    EXPECT_EQ(reason_of(sign(excess, ops_), excess.id), reason::rate_limited);
}

TEST_F(CommandsTest, WithoutASynchronisedClockOnlyCommandsNewerThanTheLastAcceptedPass) {
    // Synchronised first: one command is accepted, and its issued_at is persisted.
    start_and_wait_for_commands();
    auto first = command("ping");
    send(sign(first, ops_));
    ASSERT_TRUE(result_for(first.id));
    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->wait_exit(10s));

    // The box reboots with a clock nobody vouches for.
    write_main_config(commands_yaml(100, "50/1m", "unsynced"));
    start_and_wait_for_commands();
    auto older = command("ping");
    older.issued_at_ms = first.issued_at_ms - 5000;
    older.expires_at_ms = older.issued_at_ms + 60'000;
    EXPECT_EQ(reason_of(sign(older, ops_), older.id), reason::clock_unsynced);
    auto newer = command("ping");
    newer.issued_at_ms = first.issued_at_ms + 5000;
    newer.expires_at_ms = newer.issued_at_ms + 60'000;
    send(sign(newer, ops_));
    auto r = result_for(newer.id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
}

TEST_F(CommandsTest, RestartDriverBuildsTheDeviceAgainAndPollingGoesOn) {
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_point("counter", [](const auto&) { return true; }));
    const auto before = log_count("device restarted");
    auto c = command("restart-driver", {{"device", "meter"}});
    send(sign(c, ops_));
    auto r = result_for(c.id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump();
    ASSERT_TRUE(wait_until([&] { return log_count("device restarted") > before; }, 5s));
    const auto restarted_at = now_ms();
    peer_->must("set hr 20 4242");
    ASSERT_TRUE(wait_point("counter", [&](const auto& p) {
        return p.at("value") == 4242 && p.at("ts").template get<std::int64_t>() >= restarted_at;
    })) << "the rebuilt device polls again";
    // The write limits come from the rebuilt device too.
    auto w = command("write-point", {{"device", "meter"}, {"point", "target"}, {"value", 12.0}});
    send(sign(w, ops_));
    auto wr = result_for(w.id);
    ASSERT_TRUE(wr);
    EXPECT_EQ(wr->status, commands::ResultStatus::ok) << wr->output.dump();
}

// Report by exception holds a value back from the cloud's telemetry, not from read-point: the
// command answers with the value on site now.
TEST_F(CommandsTest, ReadPointAnswersTheValueReadEvenWhenReportByExceptionHoldsItBack) {
    peer_->must("set hr 0 100");  // setpoint 10.0
    write_devices(
        default_devices("      - {name: target, table: holding_register, address: 30, type: int16, "
                        "scale: 0.1, writable: true, min: 5, max: 30}\n") +
        "    report: {deadband: 100}\n");
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_until(
        [&] {
            auto v = latest("setpoint");
            return v && v->at("value") == 10.0;
        },
        10s));
    peer_->must("set hr 0 150");  // 15.0: within the deadband, so not sent

    auto read = [&]() -> nlohmann::json {
        auto c = command("read-point", {{"device", "meter"}, {"point", "setpoint"}});
        const auto before = results().size();
        send(sign(c, ops_));
        auto r = result_for(c.id, 10s, before);
        return r && r->status == commands::ResultStatus::ok ? r->output : nlohmann::json();
    };
    nlohmann::json last;
    EXPECT_TRUE(wait_until(
        [&] {
            last = read();
            return last.is_object() && last.value("value", 0.0) == 15.0;
        },
        10s))
        << last.dump();
    for (const auto& r : received()) {
        if (r.point.at("point") == "setpoint") {
            EXPECT_EQ(r.point.at("value"), 10.0) << "15.0 is within the deadband";
        }
    }
}

}  // namespace
}  // namespace lintel::test
