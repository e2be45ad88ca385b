// Cloud commands end to end on the gateway: verify (verifier.hpp), claim the id (nonce store),
// shun and authorisation checks, rate limit, execute (actions.hpp), then account for it — an
// audit record (commands.db, journal, {prefix}/{gw}/audit), a signed result on
// {prefix}/{gw}/cmd/result — and raise a security event when one source is refused too often.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "commands/actions.hpp"
#include "commands/gateway_ops.hpp"
#include "commands/keys.hpp"
#include "commands/policy.hpp"
#include "commands/trust_store.hpp"
#include "commands/verifier.hpp"
#include "core/commands_config.hpp"
#include "lintel/asio.hpp"
#include "lintel/log.hpp"
#include "store/command_store.hpp"

namespace lintel::commands {

struct CommandCounters {
    std::uint64_t received = 0;
    std::uint64_t executed = 0;
    std::uint64_t rejected = 0;
    std::uint64_t failed = 0;
    std::uint64_t security_events = 0;
};

// The end of an action that the process which started it did not live to see: apply-config
// rolled back at start-up because linteld stopped before the new configuration was confirmed.
struct LateOutcome {
    std::string command_id;
    std::string kid;
    std::string principal;
    std::string action;
    std::int64_t received_ms = 0;
    ActionOutcome outcome;
};

class CommandService {
public:
    CommandService(asio::any_io_executor executor, core::CommandsSettings settings,
                   TrustStore trust, PrivateKey gateway_key, std::string gateway_id,
                   store::CommandStore& store, GatewayOps& ops, sdk::Logger& log);
    ~CommandService();
    CommandService(const CommandService&) = delete;
    CommandService& operator=(const CommandService&) = delete;

    // Loads runtime revocations and the freshness anchor; commands arriving before that are
    // held and handled in order afterwards.
    void start();
    // One message from the command topic (raw bytes, exactly as received).
    void handle(std::string payload);

    // Accounted for like any other command: audit record, journal line, signed result.
    void report(LateOutcome late);
    // Actions started and not finished yet (apply-config waits minutes for its confirmation).
    // A service being replaced (new keys, new gateway key) is kept until this is 0, so that
    // the action's result is still audited and signed.
    std::size_t in_flight() const { return in_flight_; }
    // Called once, on the loop, when in_flight() drops to 0 (at once if it is 0 already).
    void when_idle(std::function<void()> idle);

    CommandCounters counters() const { return counters_; }
    // For the status message: counters, the last command, shunned sources.
    nlohmann::json summary() const;

    struct Decision;  // one command's way through the pipeline (command_service.cpp)

private:
    void restore_shuns(const std::vector<std::pair<std::string, std::int64_t>>& shuns);
    void load_anchor();  // the freshness anchor, then ready: held commands are handled
    void process(std::string payload);
    void after_claim(std::shared_ptr<Decision> d, Expected<bool> claimed);
    void finish(std::shared_ptr<Decision> d);
    void count_rejection(const Decision& d);
    void prune_later();

    asio::any_io_executor ex_;
    core::CommandsSettings settings_;
    TrustStore trust_;
    PrivateKey gateway_key_;
    std::string gateway_id_;
    store::CommandStore& store_;
    GatewayOps& ops_;
    sdk::Logger& log_;
    Policy policy_;
    asio::steady_timer prune_timer_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);

    bool ready_ = false;
    std::deque<std::string> held_;
    std::int64_t newest_issued_at_ = 0;
    std::size_t in_flight_ = 0;
    std::function<void()> idle_;
    CommandCounters counters_;
    nlohmann::json last_command_;
    // Rejection times per source ("key:<kid>", or "unauthenticated"), for security events.
    std::map<std::string, std::deque<Clock::time_point>> rejections_;
};

}  // namespace lintel::commands
