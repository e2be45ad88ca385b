// The first, synchronous steps of accepting a command, in the documented order:
//   size -> parse -> gateway id -> key known -> key not revoked -> signature -> time window.
// (Then, outside: nonce never seen -> shun -> authorisation -> rate -> execute.)
// Each refusal has its stable reason code and says what was wrong; whatever could be learnt
// before the refusal (id, kid, principal, action) is kept for the audit record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "commands/envelope.hpp"
#include "commands/trust_store.hpp"
#include "core/commands_config.hpp"

namespace lintel::commands {

struct VerifyContext {
    std::string gateway_id;
    std::int64_t now_ms = 0;  // wall clock, Unix ms
    bool clock_trusted = true;
    // The newest issued_at of any command accepted so far (persisted across restarts); the
    // freshness anchor while the clock cannot be trusted. 0: none yet.
    std::int64_t newest_accepted_issued_at_ms = 0;
};

struct Refusal {
    std::string reason;   // cmd.*
    std::string message;  // what exactly, for the audit and the result
};

struct VerifyOutcome {
    std::optional<CommandEnvelope> command;  // set when every step passed
    std::optional<Refusal> refusal;          // set otherwise
    // Known even when refused, as far as the steps got (for the audit and the result).
    std::string id;
    std::string kid;
    std::string principal;
    std::string action;
};

VerifyOutcome verify_command(std::string_view text, const TrustStore& trust,
                             const core::CommandsSettings& settings, const VerifyContext& context);

// The time-window step alone (exposed for tests of the clock rules).
std::optional<Refusal> check_time_window(const CommandEnvelope& command,
                                         const core::CommandsSettings& settings,
                                         const VerifyContext& context);

}  // namespace lintel::commands
