// Strict parsing and building of the command payload (see envelope.hpp, docs/commands.md).
#include "commands/envelope.hpp"

#include <array>

#include "commands/reason_codes.hpp"
#include "commands/strict_json.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> k_keys{"v",       "id",     "issued_at", "expires_at",
                                                 "gateway", "action", "args"};

// The payload object is level 1, so args may reach level 1 + k_max_args_depth.
constexpr int k_payload_max_depth = 1 + k_max_args_depth;
static_assert(k_max_args_depth == 16, "the messages below say 16");

std::string allowed_keys() {
    std::string out;
    for (auto key : k_keys) {
        if (!out.empty()) out += ", ";
        out += key;
    }
    return out;
}

std::string got(const json& value) { return ", got " + std::string(value.type_name()); }

Expected<std::string> identifier(const json& payload, std::string_view key, bool action) {
    const std::string path = "payload." + std::string(key);
    const json& value = payload.at(std::string(key));
    const std::string_view rule = action ? k_action_rule : k_identifier_rule;
    if (!value.is_string())
        return field_error(path, "must be a string of " + std::string(rule) + got(value));
    const auto& text = value.get_ref<const std::string&>();
    if (!(action ? is_action_name(text) : is_identifier(text))) {
        return field_error(path,
                           "must be " + std::string(rule) + ", got \"" + printable(text) + "\"");
    }
    return text;
}

Expected<std::int64_t> timestamp(const json& payload, std::string_view key) {
    const json& value = payload.at(std::string(key));
    auto ms = non_negative_integer(value);
    if (!ms) {
        return field_error(
            "payload." + std::string(key),
            "must be an integer >= 0 (Unix time in milliseconds)" +
                (value.is_number() ? ", got " + printable(value.dump()) : got(value)));
    }
    return *ms;
}

}  // namespace

Expected<CommandEnvelope> parse_command(const Jws& jws) {
    if (jws.type != JwsType::command) {
        return field_error("header.typ", "must be \"" + std::string(k_command_typ) + "\"");
    }
    auto parsed = parse_strict_json(jws.payload, "payload", k_payload_max_depth,
                                    "payload.args may nest at most 16 levels");
    if (!parsed) return std::unexpected(parsed.error());
    const json& payload = *parsed;
    if (!payload.is_object()) return field_error("payload", "must be a JSON object" + got(payload));

    // The version first: a newer sender's extra keys are better explained by its version.
    auto v = payload.find("v");
    if (v == payload.end()) return field_error("payload", "has no \"v\" (this gateway speaks 1)");
    if (!v->is_number_integer()) {
        return field_error(
            "payload.v",
            "must be the integer 1" + (v->is_number() ? ", got " + printable(v->dump()) : got(*v)));
    }
    if (auto version = non_negative_integer(*v); !version || *version != k_command_version) {
        return field_error("payload.v", "version " + printable(v->dump()) +
                                            " is not supported (this gateway speaks 1)");
    }
    for (const auto& [key, value] : payload.items()) {
        bool known = false;
        for (auto name : k_keys) known = known || key == name;
        if (!known) {
            return field_error("payload", "unknown key \"" + printable(key) +
                                              "\" (allowed: " + allowed_keys() + ")");
        }
    }
    for (auto key : k_keys) {
        if (!payload.contains(std::string(key))) {
            return field_error("payload", "has no \"" + std::string(key) + "\"");
        }
    }

    CommandEnvelope out;
    out.kid = jws.kid;
    out.alg = jws.alg;
    auto id = identifier(payload, "id", false);
    if (!id) return std::unexpected(id.error());
    out.id = *id;
    auto issued_at = timestamp(payload, "issued_at");
    if (!issued_at) return std::unexpected(issued_at.error());
    out.issued_at_ms = *issued_at;
    auto expires_at = timestamp(payload, "expires_at");
    if (!expires_at) return std::unexpected(expires_at.error());
    out.expires_at_ms = *expires_at;
    if (out.expires_at_ms <= out.issued_at_ms) {
        return field_error("payload.expires_at",
                           "must be later than issued_at (" + std::to_string(out.expires_at_ms) +
                               " <= " + std::to_string(out.issued_at_ms) + ")");
    }
    auto gateway = identifier(payload, "gateway", false);
    if (!gateway) return std::unexpected(gateway.error());
    out.gateway = *gateway;
    auto action = identifier(payload, "action", true);
    if (!action) return std::unexpected(action.error());
    out.action = *action;
    auto args = payload.find("args");
    if (!args->is_object()) return field_error("payload.args", "must be an object" + got(*args));
    // Moved, not copied: copying recurses (depth is bounded, but there is no need).
    out.args = std::move(*parsed->find("args"));
    return out;
}

Expected<std::string> command_payload(const CommandEnvelope& command) {
    auto refuse = [](std::string_view field, std::string what) {
        return make_error(std::string(error::bad_input),
                          std::string(field) + ": " + std::move(what));
    };
    if (!is_identifier(command.id))
        return refuse("id", "must be " + std::string(k_identifier_rule));
    if (!is_identifier(command.gateway)) {
        return refuse("gateway", "must be " + std::string(k_identifier_rule));
    }
    if (!is_action_name(command.action)) {
        return refuse("action", "must be " + std::string(k_action_rule));
    }
    if (command.issued_at_ms < 0) return refuse("issued_at", "must be >= 0");
    if (command.expires_at_ms <= command.issued_at_ms) {
        return refuse("expires_at", "must be later than issued_at");
    }
    if (!command.args.is_object()) return refuse("args", "must be a JSON object");
    if (json_depth(command.args, k_max_args_depth) > k_max_args_depth) {
        return refuse("args", "nested deeper than " + std::to_string(k_max_args_depth) + " levels");
    }
    nlohmann::ordered_json payload;
    payload["v"] = k_command_version;
    payload["id"] = command.id;
    payload["issued_at"] = command.issued_at_ms;
    payload["expires_at"] = command.expires_at_ms;
    payload["gateway"] = command.gateway;
    payload["action"] = command.action;
    payload["args"] = command.args;
    try {
        // Strict: a string with invalid UTF-8 in args is an error, not silently replaced.
        return payload.dump();
    } catch (const json::exception& e) {
        return refuse("args", printable(e.what(), 120));
    }
}

Expected<std::string> sign_command(const CommandEnvelope& command, const PrivateKey& key) {
    auto payload = command_payload(command);
    if (!payload) return std::unexpected(payload.error());
    auto text = make_jws(JwsType::command, command.kid, *payload, key);
    if (!text) return std::unexpected(text.error());
    auto check = [&]() -> Expected<void> {
        auto jws = parse_jws(*text, JwsType::command, text->size());
        if (!jws) return std::unexpected(jws.error());
        if (auto verified = verify_jws(*jws, key.public_key()); !verified) return verified;
        if (auto parsed = parse_command(*jws); !parsed) return std::unexpected(parsed.error());
        return {};
    };
    if (auto checked = check(); !checked) {
        return make_error(
            std::string(error::bad_input),
            "the signed command does not pass its own checks: " + checked.error().message);
    }
    return text;
}

}  // namespace lintel::commands
