// The command pipeline and its accounting. The order of the checks is the security argument:
// see verifier.hpp for the first steps, process()/after_claim() for the rest.
#include "commands/command_service.hpp"

#include <algorithm>

#include "commands/actions.hpp"
#include "commands/clock.hpp"
#include "commands/reason_codes.hpp"
#include "commands/result.hpp"
#include "lintel/point.hpp"

namespace lintel::commands {

using json = nlohmann::json;

namespace {

constexpr std::size_t kMaxHeld = 64;  // commands that arrive before start() finished
constexpr auto kPruneInterval = std::chrono::minutes(10);

// Refusals decided before the signature was checked: the claimed key id proves nothing, so
// they are pooled as "unauthenticated" and never shun a real key (no denial of service by
// forging someone else's kid).
bool before_signature(const std::string& reason_code) {
    for (auto r :
         {reason::too_large, reason::malformed, reason::unsupported_alg, reason::wrong_gateway,
          reason::unknown_key, reason::revoked_key, reason::bad_signature}) {
        if (reason_code == r) return true;
    }
    return false;
}

}  // namespace

struct CommandService::Decision {
    VerifyOutcome verified;
    ActionOutcome outcome;
    std::int64_t received_ms = 0;
    Clock::time_point received_at;

    void refuse(std::string code, std::string message) {
        outcome = ActionOutcome{ResultStatus::rejected, std::move(code), json{{"error", message}},
                                message};
    }
};

CommandService::CommandService(asio::any_io_executor executor, core::CommandsSettings settings,
                               TrustStore trust, PrivateKey gateway_key, std::string gateway_id,
                               store::CommandStore& store, GatewayOps& ops, sdk::Logger& log)
    : ex_(std::move(executor)),
      settings_(std::move(settings)),
      trust_(std::move(trust)),
      gateway_key_(std::move(gateway_key)),
      gateway_id_(std::move(gateway_id)),
      store_(store),
      ops_(ops),
      log_(log),
      policy_(settings_),
      prune_timer_(ex_) {}

CommandService::~CommandService() { prune_timer_.cancel(); }

void CommandService::start() {
    std::weak_ptr<int> alive = alive_;
    store_.revoked_keys([this, alive](Expected<std::vector<std::string>> revoked) {
        if (alive.expired()) return;
        if (!revoked) {
            log_.error("cannot read runtime key revocations; refusing every command until fixed",
                       {{"REASON", revoked.error().message}});
            return;  // stays not ready: fail closed
        }
        for (const auto& kid : *revoked) trust_.revoke(kid);
        store_.active_shuns(sdk::now_unix_ms(), [this, alive](auto shuns) {
            if (alive.expired()) return;
            if (!shuns) {
                log_.error("cannot read the shunned sources; refusing every command until fixed",
                           {{"REASON", shuns.error().message}});
                return;
            }
            restore_shuns(*shuns);
            load_anchor();
        });
    });
}

void CommandService::restore_shuns(const std::vector<std::pair<std::string, std::int64_t>>& shuns) {
    // Persisted as wall-clock times; the policy keeps steady ones.
    const std::int64_t now_ms = sdk::now_unix_ms();
    const auto now = Clock::now();
    for (const auto& [who, until_ms] : shuns) {
        policy_.shun(who, now + std::chrono::milliseconds(until_ms - now_ms));
        log_.warning("a recorded shun is in force",
                     {{"WHO", who}, {"FOR_S", std::to_string((until_ms - now_ms) / 1000)}});
    }
}

void CommandService::load_anchor() {
    std::weak_ptr<int> alive = alive_;
    store_.newest_issued_at([this, alive](Expected<std::int64_t> newest) {
        if (alive.expired()) return;
        if (!newest) {
            log_.error("cannot read the command freshness anchor; refusing every command",
                       {{"REASON", newest.error().message}});
            return;
        }
        newest_issued_at_ = *newest;
        ready_ = true;
        log_.info(
            "cloud commands accepted",
            {{"KEYS", std::to_string(trust_.size())},
             {"REVOKED", std::to_string(trust_.revoked().size())},
             {"CLOCK", clock_trusted(settings_.clock) ? "synchronised" : "not synchronised"}});
        while (!held_.empty()) {
            auto next = std::move(held_.front());
            held_.pop_front();
            process(std::move(next));
        }
        prune_later();
    });
}

void CommandService::handle(std::string payload) {
    ++counters_.received;
    if (!ready_) {
        if (held_.size() >= kMaxHeld) {
            log_.warning("command dropped: too many arrived before the command store was ready");
            return;
        }
        held_.push_back(std::move(payload));
        return;
    }
    process(std::move(payload));
}

void CommandService::process(std::string payload) {
    auto d = std::make_shared<Decision>();
    d->received_ms = sdk::now_unix_ms();
    d->received_at = Clock::now();
    VerifyContext ctx{gateway_id_, d->received_ms, clock_trusted(settings_.clock),
                      newest_issued_at_};
    d->verified = verify_command(payload, trust_, settings_, ctx);
    if (d->verified.refusal) {
        d->refuse(d->verified.refusal->reason, d->verified.refusal->message);
        finish(d);
        return;
    }
    const CommandEnvelope& c = *d->verified.command;
    for (const std::string& who : {"key:" + c.kid, "principal:" + d->verified.principal}) {
        if (auto until = policy_.shunned_until(who, d->received_at)) {
            const auto left =
                std::chrono::duration_cast<std::chrono::seconds>(*until - d->received_at);
            d->refuse(std::string(reason::shunned),
                      who + " is shunned for " + std::to_string(left.count()) + " s more");
            finish(d);
            return;
        }
    }
    // Kept as long as the time window could accept the same command again.
    const std::int64_t keep_until = c.expires_at_ms + settings_.max_future_skew.count();
    std::weak_ptr<int> alive = alive_;
    store_.claim(c.id, keep_until, c.issued_at_ms, [this, alive, d](Expected<bool> claimed) {
        if (!alive.expired()) after_claim(d, std::move(claimed));
    });
}

void CommandService::after_claim(std::shared_ptr<Decision> d, Expected<bool> claimed) {
    const CommandEnvelope& c = *d->verified.command;
    if (!claimed) {
        // Fail closed: a command whose id cannot be recorded could be replayed later.
        d->outcome = ActionOutcome{
            ResultStatus::failed, std::string(reason::failed),
            json{{"error", "command id could not be recorded"}},
            "not executed: its id could not be recorded (" + claimed.error().message + ")"};
        finish(d);
        return;
    }
    if (!*claimed) {
        d->refuse(std::string(reason::replayed),
                  "command id \"" + c.id + "\" was already received");
        finish(d);
        return;
    }
    newest_issued_at_ = std::max(newest_issued_at_, c.issued_at_ms);
    auto target = target_of(c);
    if (!target) {
        d->refuse(target.error().code, target.error().message);
        finish(d);
        return;
    }
    if (auto a = policy_.authorise(d->verified.principal, *target); !a.allowed) {
        d->refuse(a.reason, a.message);
        finish(d);
        return;
    }
    if (auto r = policy_.take_rate(d->verified.principal, d->received_at); !r.allowed) {
        d->refuse(r.reason, r.message);
        finish(d);
        return;
    }
    std::weak_ptr<int> alive = alive_;
    ++in_flight_;
    run_action(c,
               ActionContext{ops_, policy_, trust_, store_, settings_, d->received_at,
                             d->received_ms, d->verified.principal},
               [this, alive, d](ActionOutcome outcome) {
                   if (alive.expired()) return;
                   d->outcome = std::move(outcome);
                   finish(d);
                   if (--in_flight_ == 0 && idle_) asio::post(ex_, std::exchange(idle_, nullptr));
               });
}

void CommandService::when_idle(std::function<void()> idle) {
    if (in_flight_ == 0) {
        asio::post(ex_, std::move(idle));
        return;
    }
    idle_ = std::move(idle);
}

void CommandService::report(LateOutcome late) {
    auto d = std::make_shared<Decision>();
    d->verified.id = std::move(late.command_id);
    d->verified.kid = std::move(late.kid);
    d->verified.principal = std::move(late.principal);
    d->verified.action = std::move(late.action);
    d->received_ms = late.received_ms;
    d->received_at = Clock::now();
    d->outcome = std::move(late.outcome);
    finish(d);
}

void CommandService::finish(std::shared_ptr<Decision> d) {
    const auto& v = d->verified;
    const auto& o = d->outcome;
    const char* decision = o.status == ResultStatus::ok         ? "executed"
                           : o.status == ResultStatus::rejected ? "rejected"
                                                                : "failed";
    ++(o.status == ResultStatus::ok         ? counters_.executed
       : o.status == ResultStatus::rejected ? counters_.rejected
                                            : counters_.failed);
    store::AuditRecord a;
    a.ts_ms = d->received_ms;
    a.source = "mqtt";
    a.principal = v.principal;
    a.kid = v.kid;
    a.command_id = v.id;
    a.action = v.action;
    a.decision = decision;
    a.reason = o.reason.value_or("");
    a.detail = o.detail;
    store_.enqueue("audit", json{{"v", 1},
                                 {"gateway", gateway_id_},
                                 {"ts", a.ts_ms},
                                 {"source", a.source},
                                 {"principal", a.principal},
                                 {"kid", a.kid},
                                 {"id", a.command_id},
                                 {"action", a.action},
                                 {"decision", a.decision},
                                 {"reason", a.reason},
                                 {"detail", a.detail}}
                                .dump());
    const std::initializer_list<sdk::LogField> fields{
        {"COMMAND_ID", a.command_id}, {"ACTION", a.action},
        {"PRINCIPAL", a.principal},   {"KID", a.kid},
        {"REASON", a.reason},         {"DETAIL", a.detail}};
    if (o.status == ResultStatus::ok) {
        log_.info("command executed", fields);
    } else if (o.status == ResultStatus::rejected) {
        log_.warning("command rejected", fields);
    } else {
        log_.error("command failed", fields);
    }
    store_.append_audit(std::move(a));

    CommandResult r;
    if (!v.id.empty()) r.id = v.id;
    r.gateway = gateway_id_;
    r.status = o.status;
    r.reason = o.reason;
    r.output = o.output;
    r.ts_ms = sdk::now_unix_ms();
    if (auto signed_result = sign_result(r, gateway_key_)) {
        store_.enqueue("cmd/result", std::move(*signed_result));
    } else {
        log_.error("the result of a command could not be signed; none is sent",
                   {{"COMMAND_ID", v.id}, {"REASON", signed_result.error().message}});
    }
    last_command_ = json{{"id", v.id},
                         {"action", v.action},
                         {"decision", decision},
                         {"reason", o.reason.value_or("")},
                         {"ts", d->received_ms}};
    if (o.status == ResultStatus::rejected) count_rejection(*d);
}

void CommandService::count_rejection(const Decision& d) {
    const std::string& code = *d.outcome.reason;
    const bool authenticated = !before_signature(code) && !d.verified.kid.empty();
    const std::string source = authenticated ? "key:" + d.verified.kid : "unauthenticated";
    auto& times = rejections_[source];
    while (!times.empty() && d.received_at - times.front() >= settings_.security.window)
        times.pop_front();
    times.push_back(d.received_at);
    if (times.size() < settings_.security.threshold) return;
    const auto count = times.size();
    times.clear();  // the next event needs another full threshold
    ++counters_.security_events;
    std::string taken = "none";
    if (authenticated && settings_.security.shun_for.count() > 0 && code != reason::shunned) {
        policy_.shun(source, d.received_at + settings_.security.shun_for);
        store_.save_shun(source, d.received_ms + settings_.security.shun_for.count());
        taken = "shunned " + source + " for " +
                std::to_string(settings_.security.shun_for.count() / 1000) + " s";
    }
    log_.warning("security event: repeated command rejections", {{"SOURCE", source},
                                                                 {"COUNT", std::to_string(count)},
                                                                 {"LAST_REASON", code},
                                                                 {"CLAIMED_KID", d.verified.kid},
                                                                 {"ACTION_TAKEN", taken}});
    store_.enqueue("events", json{{"v", 1},
                                  {"gateway", gateway_id_},
                                  {"ts", d.received_ms},
                                  {"event", "command-rejections"},
                                  {"source", source},
                                  {"claimed_kid", d.verified.kid},
                                  {"count", count},
                                  {"window_s", settings_.security.window.count() / 1000},
                                  {"last_reason", code},
                                  {"action_taken", taken}}
                                 .dump());
}

void CommandService::prune_later() {
    std::weak_ptr<int> alive = alive_;
    prune_timer_.expires_after(kPruneInterval);
    prune_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired()) return;
        store_.prune_nonces(sdk::now_unix_ms());
        prune_later();
    });
}

json CommandService::summary() const {
    json shunned = json::array();
    const auto now = Clock::now();
    for (const auto& [who, until] : policy_.shunned(now)) {
        shunned.push_back(
            {{"who", who},
             {"for_s", std::chrono::duration_cast<std::chrono::seconds>(until - now).count()}});
    }
    return json{{"received", counters_.received},
                {"executed", counters_.executed},
                {"rejected", counters_.rejected},
                {"failed", counters_.failed},
                {"security_events", counters_.security_events},
                {"last", last_command_.is_null() ? json(nullptr) : last_command_},
                {"shunned", std::move(shunned)}};
}

}  // namespace lintel::commands
