// The cloud side of signed commands for linteld's end-to-end tests: keys, signing, sending on
// {prefix}/{gw}/cmd, and reading verified results, audit records and the daemon's log.
#pragma once

#include <set>

#include "commands/certificate.hpp"
#include "commands/envelope.hpp"
#include "commands/jws.hpp"
#include "commands/reason_codes.hpp"
#include "commands/result.hpp"
#include "daemon_fixture.hpp"

namespace lintel::test {

class CommandsTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        if (HasFatalFailure()) return;
        write_pub("ops-1.pub", ops_);
        write_pub("old-1.pub", old_);
        write_main_config(commands_yaml());
        write_devices(default_devices(
            "      - {name: target, table: holding_register, address: 30, type: int16, scale: "
            "0.1, writable: true, min: 5, max: 30}\n"));
    }

    void write_pub(const std::string& name, const commands::PrivateKey& key) {
        std::ofstream(etc() / name) << key.public_key().to_pem();
    }

    std::string commands_yaml(int threshold = 100, const std::string& rate = "50/1m",
                              const std::string& clock = "synced",
                              const std::string& extra_grants = "") const {
        return "commands:\n"
               "  clock: " +
               clock +
               "\n"
               "  max_lifetime: 30m\n"
               "  keys:\n"
               "    - {id: ops-1, public_key: " +
               (etc() / "ops-1.pub").string() +
               ", principal: ops}\n"
               "    - {id: old-1, public_key: " +
               (etc() / "old-1.pub").string() +
               ", principal: ops, revoked: true}\n"
               "  principals:\n"
               "    - {name: ops, roles: [operator], rate_limit: " +
               rate +
               "}\n"
               "  roles:\n"
               "    - name: operator\n"
               "      allow:\n"
               "        - {action: ping}\n"
               "        - {action: read-point}\n"
               "        - {action: write-point, devices: [meter], points: [target]}\n"
               "        - {action: get-audit}\n"
               "        - {action: unshun}\n"
               "        - {action: restart-driver, devices: [meter]}\n" +
               extra_grants + "  security_events: {threshold: " + std::to_string(threshold) +
               ", window: 1m, shun_for: 3s}\n"
               "control:\n"
               "  socket: " +
               (dir_->path() / "control.sock").string() + "\n";
    }

    commands::CommandEnvelope command(const std::string& action,
                                      nlohmann::json args = nlohmann::json::object()) {
        commands::CommandEnvelope c;
        c.kid = "ops-1";
        c.id = "cmd-" + std::to_string(++next_id_);
        c.issued_at_ms = now_ms() - 1000;
        c.expires_at_ms = c.issued_at_ms + 60'000;
        c.gateway = kGateway;
        c.action = action;
        c.args = std::move(args);
        return c;
    }

    std::string sign(const commands::CommandEnvelope& c, const commands::PrivateKey& key) {
        auto text = commands::sign_command(c, key);
        EXPECT_TRUE(text) << text.error().message;
        return text.value_or("");
    }

    void send(const std::string& jws) {
        ASSERT_TRUE(observer_->publish("lintel/v1/" + kGateway + "/cmd", jws, 1));
    }

    std::vector<test::MqttMessage> results() const {
        return observer_->messages_on("lintel/v1/" + kGateway + "/cmd/result");
    }

    // The verified result for command `id` among the results from index `from` on, waiting
    // for it. Every result must verify with the gateway's certificate (`signer`: the one it
    // was issued, after a renewal or a claim provisioning).
    std::optional<commands::CommandResult> result_for(const std::optional<std::string>& id,
                                                      std::chrono::milliseconds timeout = 10s,
                                                      std::size_t from = 0,
                                                      const fs::path& signer = {}) {
        std::optional<commands::CommandResult> found;
        auto cert = commands::Certificate::from_file(signer.empty() ? pki_.gateway.cert : signer);
        EXPECT_TRUE(cert);
        wait_until(
            [&] {
                const auto all = results();
                for (std::size_t i = from; i < all.size() && !found; ++i) {
                    auto jws =
                        commands::parse_jws(all[i].payload, commands::JwsType::result, 1 << 20);
                    if (!jws || !commands::verify_jws(*jws, cert->public_key())) {
                        ADD_FAILURE() << "a result that does not verify with the gateway cert";
                        continue;
                    }
                    auto r = commands::parse_result(*jws);
                    if (r && r->id == id) found = *r;
                }
                return found.has_value();
            },
            timeout, 20ms);
        return found;
    }

    // Sends `jws` and returns the reason of the rejected result it gets.
    std::string reason_of(const std::string& jws, const std::optional<std::string>& id) {
        const auto before = results().size();
        send(jws);
        auto r = result_for(id, 10s, before);
        if (!r) return "no result";
        EXPECT_EQ(r->status, commands::ResultStatus::rejected);
        return r->reason.value_or("none");
    }

    std::vector<nlohmann::json> audit_records() const {
        std::vector<nlohmann::json> out;
        for (const auto& m : observer_->messages_on("lintel/v1/" + kGateway + "/audit"))
            out.push_back(nlohmann::json::parse(m.payload));
        return out;
    }

    std::size_t log_count(const std::string& needle) const {
        const std::string log = daemon_log();
        std::size_t n = 0;
        for (auto pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1))
            ++n;
        return n;
    }

    // Starts linteld and waits until this run (the log file spans restarts) has subscribed.
    void start_and_wait_for_commands() {
        const auto accepted = log_count("cloud commands accepted");
        const auto subscribed = log_count("subscribed to commands");
        start_daemon();
        ASSERT_TRUE(
            wait_until([&] { return log_count("cloud commands accepted") > accepted; }, 10s))
            << daemon_log();
        ASSERT_TRUE(
            wait_until([&] { return log_count("subscribed to commands") > subscribed; }, 10s))
            << daemon_log();
    }

    commands::PrivateKey ops_ = *commands::PrivateKey::generate(commands::KeyType::ed25519);
    commands::PrivateKey old_ = *commands::PrivateKey::generate(commands::KeyType::p256);
    commands::PrivateKey rogue_ = *commands::PrivateKey::generate(commands::KeyType::ed25519);
    int next_id_ = 0;
};

}  // namespace lintel::test
