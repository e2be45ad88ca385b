// verify_command: the order of the checks is the security argument, so it reads top to bottom.
#include "commands/verifier.hpp"

#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

Refusal refusal(std::string_view code, std::string message) {
    return Refusal{std::string(code), std::move(message)};
}

std::string seconds(std::int64_t ms) { return std::to_string(ms / 1000) + " s"; }

}  // namespace

std::optional<Refusal> check_time_window(const CommandEnvelope& c,
                                         const core::CommandsSettings& settings,
                                         const VerifyContext& ctx) {
    const std::int64_t lifetime = c.expires_at_ms - c.issued_at_ms;
    if (lifetime > settings.max_lifetime.count()) {
        return refusal(reason::expired, "lifetime expires_at - issued_at = " + seconds(lifetime) +
                                            " exceeds commands.max_lifetime (" +
                                            seconds(settings.max_lifetime.count()) + ")");
    }
    if (!ctx.clock_trusted) {
        // The wall clock may be years off: judge freshness against the newest command accepted
        // so far instead. Anything issued before it is old by definition; the nonce store
        // refuses a second delivery of anything after it.
        if (ctx.newest_accepted_issued_at_ms == 0) {
            return refusal(reason::clock_unsynced,
                           "the system clock is not synchronised and no command was accepted "
                           "before to judge freshness by; synchronise the clock (NTP)");
        }
        if (c.issued_at_ms < ctx.newest_accepted_issued_at_ms) {
            return refusal(reason::clock_unsynced,
                           "the system clock is not synchronised; a command issued before the "
                           "newest accepted one (" +
                               std::to_string(ctx.newest_accepted_issued_at_ms) +
                               ") cannot be shown to be fresh");
        }
        return std::nullopt;
    }
    if (c.issued_at_ms > ctx.now_ms + settings.max_future_skew.count()) {
        return refusal(reason::future, "issued " + seconds(c.issued_at_ms - ctx.now_ms) +
                                           " in the future (commands.max_future_skew " +
                                           seconds(settings.max_future_skew.count()) + ")");
    }
    if (c.expires_at_ms <= ctx.now_ms) {
        return refusal(reason::expired,
                       "expired " + seconds(ctx.now_ms - c.expires_at_ms) + " ago");
    }
    if (c.issued_at_ms < ctx.now_ms - settings.max_age.count()) {
        return refusal(reason::stale, "issued " + seconds(ctx.now_ms - c.issued_at_ms) +
                                          " ago (commands.max_age " +
                                          seconds(settings.max_age.count()) + ")");
    }
    return std::nullopt;
}

VerifyOutcome verify_command(std::string_view text, const TrustStore& trust,
                             const core::CommandsSettings& settings, const VerifyContext& ctx) {
    VerifyOutcome out;
    auto fail = [&](Refusal r) {
        out.refusal = std::move(r);
        return out;
    };
    // size, then parse (parse_jws checks the size first, before looking at anything)
    auto jws = parse_jws(text, JwsType::command, static_cast<std::size_t>(settings.max_bytes));
    if (!jws) return fail(Refusal{jws.error().code, jws.error().message});
    out.kid = jws->kid;
    auto command = parse_command(*jws);
    if (!command) return fail(Refusal{command.error().code, command.error().message});
    out.id = command->id;
    out.action = command->action;
    // gateway id: a command for another gateway is not ours, even if correctly signed
    if (command->gateway != ctx.gateway_id) {
        return fail(refusal(reason::wrong_gateway, "addressed to gateway \"" + command->gateway +
                                                       "\", this is \"" + ctx.gateway_id + "\""));
    }
    // key known, not revoked
    const TrustedKey* key = trust.find(jws->kid);
    if (key == nullptr) {
        return fail(
            refusal(reason::unknown_key, "key \"" + jws->kid + "\" is not in the trust store"));
    }
    out.principal = key->principal;
    if (key->revoked) {
        return fail(refusal(reason::revoked_key, "key \"" + jws->kid + "\" is revoked"));
    }
    // signature over the exact bytes received
    if (auto v = verify_jws(*jws, key->key); !v)
        return fail(Refusal{v.error().code, v.error().message});
    // time window (only now: an unauthenticated message must not learn about our clock)
    if (auto r = check_time_window(*command, settings, ctx)) return fail(std::move(*r));
    out.command = std::move(*command);
    return out;
}

}  // namespace lintel::commands
