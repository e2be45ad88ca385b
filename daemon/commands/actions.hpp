// The actions a verified, authorised command can run, with their arguments (docs/commands.md):
// ping, get-status, get-config, read-point, write-point, set-log-level, reload-config,
// apply-config, restart-driver, shun, unshun, get-audit, revoke-key, ota-update, ota-abort,
// ota-status, renew-certificate, set-crl, set-credentials.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "commands/envelope.hpp"
#include "commands/gateway_ops.hpp"
#include "commands/policy.hpp"
#include "commands/result.hpp"
#include "commands/trust_store.hpp"
#include "core/commands_config.hpp"
#include "store/command_store.hpp"

namespace lintel::commands {

struct ActionOutcome {
    ResultStatus status = ResultStatus::ok;
    std::optional<std::string> reason;  // cmd.* when rejected or failed
    nlohmann::json output;              // what the result carries back
    std::string detail;                 // one line for the audit and the journal
};

struct ActionContext {
    GatewayOps& ops;
    Policy& policy;
    TrustStore& trust;
    store::CommandStore& store;
    const core::CommandsSettings& settings;
    Clock::time_point now;
    std::int64_t now_ms = 0;
    std::string principal;  // who signed the command (the trust store's binding of its key)
};

// What the command touches, for authorisation; refuses (cmd.bad_args) device/point arguments
// of the wrong shape. Actions without a device have neither.
Expected<Target> target_of(const CommandEnvelope& command);

// Runs an authorised command; `done` is called once, on the loop. Bad arguments come back as
// rejected (cmd.bad_args), a failure of the action itself as failed (cmd.failed or the
// refusal's own code, e.g. cmd.not_writable).
// apply-config's `file` argument: "lintel.yaml" or "devices.d/<name>.yaml". The helper checks
// the same on its side: it does not trust linteld with paths either.
bool valid_config_file_name(std::string_view file);

void run_action(const CommandEnvelope& command, ActionContext context,
                std::function<void(ActionOutcome)> done);

}  // namespace lintel::commands
