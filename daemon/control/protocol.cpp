// Request parsing and response serialisation for the control socket (see docs/lintelctl.md).
#include "control/protocol.hpp"

#include <array>
#include <limits>
#include <utility>

#include "common/response_envelope.hpp"
#include "common/strict_json.hpp"

namespace lintel::control {
namespace {

using common::printable;
using nlohmann::json;
using nlohmann::ordered_json;

constexpr auto k_replace = json::error_handler_t::replace;

struct CommandInfo {
    Command command;
    std::string_view name;
    std::string_view args;  // for messages: the argument keys it takes
};

constexpr std::array<CommandInfo, 7> k_commands = {{
    {Command::status, "status", ""},
    {Command::queue, "queue", ""},
    {Command::points, "points", "device"},
    {Command::audit, "audit", "since, limit"},
    {Command::check_config, "check-config", ""},
    {Command::reload, "reload", ""},
    {Command::log_level, "log-level", "level"},
}};

constexpr std::array<std::pair<sdk::LogLevel, std::string_view>, 4> k_levels = {{
    {sdk::LogLevel::debug, "debug"},
    {sdk::LogLevel::info, "info"},
    {sdk::LogLevel::warning, "warning"},
    {sdk::LogLevel::error, "error"},
}};

const CommandInfo& info(Command command) {
    for (const auto& c : k_commands) {
        if (c.command == command) return c;
    }
    return k_commands[0];
}

std::string known_commands() {
    std::string out;
    for (const auto& c : k_commands) {
        if (!out.empty()) out += ", ";
        out += c.name;
    }
    return out;
}

std::unexpected<Error> bad_args(std::string message) {
    return make_error(std::string(codes::bad_args), std::move(message));
}

// What a peer sent, for a message: short, printable.
std::string shown(const json& value) {
    if (value.is_string()) return "\"" + printable(value.get<std::string>(), 40) + "\"";
    if (value.is_object() || value.is_array()) return std::string("an ") + value.type_name();
    return printable(value.dump(-1, ' ', false, k_replace), 40);
}

// An integer (not 1.0, not "1") that fits in int64.
std::optional<std::int64_t> as_int64(const json& value) {
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(u);
    }
    if (value.is_number_integer()) return value.get<std::int64_t>();
    return std::nullopt;
}

Expected<void> check_version(const json& request) {
    auto it = request.find("v");
    if (it == request.end()) {
        return make_error(std::string(codes::malformed),
                          "request has no \"v\" (the protocol version; linteld speaks 1)");
    }
    if (!it->is_number()) {
        return make_error(std::string(codes::malformed),
                          "\"v\" must be the number 1, got " + std::string(it->type_name()));
    }
    if (as_int64(*it) != std::optional<std::int64_t>(k_protocol_version)) {
        return make_error(
            std::string(codes::bad_version),
            "protocol version " + shown(*it) + " is not supported (linteld speaks 1)");
    }
    return {};
}

Expected<void> parse_argument(Request& out, const std::string& key, const json& value) {
    const std::string_view name = command_name(out.command);
    if (out.command == Command::points && key == "device") {
        if (!value.is_string()) return bad_args("\"device\" must be a string, got " + shown(value));
        auto device = value.get<std::string>();
        if (device.empty()) return bad_args("\"device\" must not be empty");
        if (device.size() > k_max_device_name_bytes) {
            return bad_args("\"device\" is longer than " + std::to_string(k_max_device_name_bytes) +
                            " bytes");
        }
        out.device = std::move(device);
        return {};
    }
    if (out.command == Command::audit && key == "since") {
        auto since = as_int64(value);
        if (!since || *since < 0) {
            return bad_args(
                "\"since\" must be a Unix time in milliseconds (an integer >= 0), got " +
                shown(value));
        }
        out.since_ms = *since;
        return {};
    }
    if (out.command == Command::audit && key == "limit") {
        auto limit = as_int64(value);
        if (!limit || *limit < 1 || *limit > static_cast<std::int64_t>(k_max_audit_limit)) {
            return bad_args("\"limit\" must be an integer from 1 to " +
                            std::to_string(k_max_audit_limit) + ", got " + shown(value));
        }
        out.limit = static_cast<std::uint32_t>(*limit);
        return {};
    }
    if (out.command == Command::log_level && key == "level") {
        std::optional<sdk::LogLevel> level;
        if (value.is_string()) level = log_level_from_name(value.get<std::string>());
        if (!level) {
            return bad_args("\"level\" must be one of debug, info, warning, error, got " +
                            shown(value));
        }
        out.level = *level;
        return {};
    }
    const std::string_view takes = info(out.command).args;
    return bad_args(
        "\"" + printable(key, 40) + "\" is not an argument of " + std::string(name) +
        (takes.empty() ? " (it takes none)" : " (it takes: " + std::string(takes) + ")"));
}

}  // namespace

std::string_view command_name(Command command) { return info(command).name; }

std::optional<Command> command_from_name(std::string_view name) {
    for (const auto& c : k_commands) {
        if (c.name == name) return c.command;
    }
    return std::nullopt;
}

std::string_view log_level_name(sdk::LogLevel level) {
    for (const auto& [value, name] : k_levels) {
        if (value == level) return name;
    }
    return "info";
}

std::optional<sdk::LogLevel> log_level_from_name(std::string_view name) {
    for (const auto& [value, level_name] : k_levels) {
        if (level_name == name) return value;
    }
    return std::nullopt;
}

Expected<Request> parse_request(std::string_view line) {
    auto parsed =
        common::parse_strict_json(line, "request", codes::malformed, k_max_request_nesting);
    if (!parsed) return std::unexpected(parsed.error());
    const json& request = *parsed;
    if (!request.is_object()) {
        return make_error(std::string(codes::malformed),
                          "request must be a JSON object, got " + std::string(request.type_name()));
    }
    // The version first: a newer client's other keys are better explained by its version.
    if (auto version = check_version(request); !version) return std::unexpected(version.error());

    auto cmd = request.find("cmd");
    if (cmd == request.end()) {
        return make_error(std::string(codes::malformed), "request has no \"cmd\"");
    }
    if (!cmd->is_string()) {
        return make_error(std::string(codes::malformed),
                          "\"cmd\" must be a string, got " + std::string(cmd->type_name()));
    }
    const auto& name = cmd->get_ref<const std::string&>();
    if (name.empty()) return make_error(std::string(codes::malformed), "\"cmd\" must not be empty");
    auto command = command_from_name(name);
    if (!command) {
        return make_error(
            std::string(codes::unknown_command),
            "unknown command \"" + printable(name, 40) + "\" (known: " + known_commands() + ")");
    }

    Request out;
    out.command = *command;
    bool has_level = false;
    for (const auto& [key, value] : request.items()) {
        if (key == "v" || key == "cmd") continue;
        if (auto ok = parse_argument(out, key, value); !ok) return std::unexpected(ok.error());
        has_level = has_level || key == "level";
    }
    if (out.command == Command::log_level && !has_level) {
        return bad_args("log-level needs \"level\" (one of debug, info, warning, error)");
    }
    return out;
}

std::optional<std::string> peek_command(std::string_view line) {
    auto parsed =
        common::parse_strict_json(line, "request", codes::malformed, k_max_request_nesting);
    if (!parsed || !parsed->is_object()) return std::nullopt;
    auto cmd = parsed->find("cmd");
    if (cmd == parsed->end() || !cmd->is_string()) return std::nullopt;
    return cmd->get<std::string>();
}

std::string describe(const Request& request) {
    std::string out(command_name(request.command));
    switch (request.command) {
        case Command::points:
            if (request.device) out += " device=" + printable(*request.device, 64);
            break;
        case Command::audit:
            out += " since=" + std::to_string(request.since_ms) +
                   " limit=" + std::to_string(request.limit);
            break;
        case Command::log_level:
            out += " ";
            out += log_level_name(request.level);
            break;
        default:
            break;
    }
    return out;
}

std::string serialise_request(const Request& request) {
    ordered_json out;
    out["v"] = k_protocol_version;
    out["cmd"] = command_name(request.command);
    switch (request.command) {
        case Command::points:
            if (request.device) out["device"] = *request.device;
            break;
        case Command::audit:
            out["since"] = request.since_ms;
            out["limit"] = request.limit;
            break;
        case Command::log_level:
            out["level"] = log_level_name(request.level);
            break;
        default:
            break;
    }
    return out.dump(-1, ' ', false, k_replace) + "\n";
}

std::string serialise_ok(const json& result) {
    // Spliced rather than copied into an envelope object: results (a points list) can be large.
    return "{\"v\":1,\"ok\":true,\"result\":" + result.dump(-1, ' ', false, k_replace) + "}\n";
}

std::string serialise_error(const Error& error) { return common::serialise_error_line(error); }

Expected<json> parse_response(std::string_view line) {
    auto parsed = common::parse_strict_json(line, "linteld's response", codes::bad_response,
                                            k_max_response_nesting);
    if (!parsed) return std::unexpected(parsed.error());
    return common::unwrap_response(std::move(*parsed), "linteld's response", codes::bad_response);
}

}  // namespace lintel::control
