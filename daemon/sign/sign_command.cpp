// lintel-sign command.
#include "sign/sign_command.hpp"

#include <limits>

#include "commands/envelope.hpp"
#include "commands/random.hpp"
#include "commands/strict_json.hpp"
#include "sign/duration.hpp"
#include "sign/input.hpp"
#include "sign/tool.hpp"

namespace lintel::sign {

Expected<std::string> sign_command(const CommandOptions& options,
                                   std::chrono::system_clock::time_point now) {
    auto usage = [](std::string what) { return make_error(std::string(k_usage), std::move(what)); };
    // The argument checks first: a typo should not wait for (or be hidden by) the key file.
    auto args = commands::parse_strict_json(options.args, "--args", commands::k_max_args_depth,
                                            "args may nest at most 16 levels");
    if (!args) return usage(args.error().message);
    if (!args->is_object()) {
        return usage("--args: must be a JSON object, got " + std::string(args->type_name()));
    }
    for (const auto& spec : options.arg_files) {
        const auto eq = spec.find('=');
        if (eq == 0 || eq == std::string::npos || eq + 1 == spec.size()) {
            return usage("--arg-file \"" + commands::printable(spec) + "\": NAME=PATH expected");
        }
        const std::string name = spec.substr(0, eq);
        if (args->contains(name)) {
            return usage("--arg-file " + name + ": args." + name + " is given twice");
        }
        auto text = read_text_file(spec.substr(eq + 1), k_max_arg_file_bytes);
        if (!text) return std::unexpected(text.error());
        (*args)[name] = std::move(*text);
    }
    const auto ttl = parse_duration(options.ttl);
    if (!ttl) {
        return usage("--ttl \"" + commands::printable(options.ttl) +
                     "\" is not a duration such as 30s, 5m or 1h (at most 366d)");
    }
    std::int64_t issued_at = 0;
    if (options.issued_at_ms) {
        if (*options.issued_at_ms < 0) return usage("--issued-at must be >= 0 (Unix ms)");
        issued_at = *options.issued_at_ms;
    } else {
        issued_at =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    }
    if (issued_at > std::numeric_limits<std::int64_t>::max() - ttl->count()) {
        return usage("--issued-at + --ttl is beyond any representable time");
    }

    commands::CommandEnvelope command;
    command.kid = options.kid;
    command.gateway = options.gateway;
    command.action = options.action;
    command.issued_at_ms = issued_at;
    command.expires_at_ms = issued_at + ttl->count();
    command.args = std::move(*args);
    if (options.id) {
        command.id = *options.id;
    } else {
        auto id = commands::random_hex(16);
        if (!id) return std::unexpected(id.error());
        command.id = *id;
    }
    const std::string id_rule(commands::k_identifier_rule);
    if (!commands::is_identifier(command.kid)) return usage("--kid must be " + id_rule);
    if (!commands::is_identifier(command.gateway)) return usage("--gateway must be " + id_rule);
    if (!commands::is_identifier(command.id)) return usage("--id must be " + id_rule);
    if (!commands::is_action_name(command.action)) {
        return usage("--action must be " + std::string(commands::k_action_rule));
    }
    // Anything else the envelope refuses, before the key is touched.
    if (auto payload = commands::command_payload(command); !payload) {
        return std::unexpected(payload.error());
    }
    auto key = commands::PrivateKey::from_pem_file(options.key);
    if (!key) return std::unexpected(key.error());
    auto text = commands::sign_command(command, *key);
    if (!text) return std::unexpected(text.error());
    return *text + "\n";
}

}  // namespace lintel::sign
