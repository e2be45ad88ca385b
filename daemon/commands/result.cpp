// Building, signing and parsing result payloads (see result.hpp, docs/commands.md).
#include "commands/result.hpp"

#include <array>

#include "commands/reason_codes.hpp"
#include "commands/strict_json.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> k_keys{"v",      "id",     "gateway", "status",
                                                 "reason", "output", "ts"};
constexpr int k_payload_max_depth = 1 + k_max_output_depth;
static_assert(k_max_output_depth == 16, "the messages below say 16");

// Reason codes look like "cmd.stale": 1-64 of a-z 0-9 . _
bool is_reason_code(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::optional<ResultStatus> parse_status(std::string_view text) {
    for (auto status : {ResultStatus::ok, ResultStatus::rejected, ResultStatus::failed}) {
        if (to_string(status) == text) return status;
    }
    return std::nullopt;
}

// The rules both sides share; `field` prefixes the path ("payload." when parsing).
std::optional<std::string> check(const CommandResult& result, std::string& field) {
    if (result.id && !is_identifier(*result.id)) {
        field = "id";
        return "must be null or " + std::string(k_identifier_rule);
    }
    if (!is_identifier(result.gateway)) {
        field = "gateway";
        return "must be " + std::string(k_identifier_rule);
    }
    if (result.reason && !is_reason_code(*result.reason)) {
        field = "reason";
        return "must be null or a reason code (1-64 characters of a-z 0-9 . _)";
    }
    if (result.status == ResultStatus::ok && result.reason) {
        field = "reason";
        return "must be null when status is \"ok\"";
    }
    if (result.status != ResultStatus::ok && !result.reason) {
        field = "reason";
        return "is required when status is \"" + std::string(to_string(result.status)) + "\"";
    }
    if (json_depth(result.output, k_max_output_depth) > k_max_output_depth) {
        field = "output";
        return "nested deeper than " + std::to_string(k_max_output_depth) + " levels";
    }
    if (result.ts_ms < 0) {
        field = "ts";
        return "must be >= 0";
    }
    return std::nullopt;
}

std::string got(const json& value) { return ", got " + std::string(value.type_name()); }

}  // namespace

std::string_view to_string(ResultStatus status) {
    switch (status) {
        case ResultStatus::ok:
            return "ok";
        case ResultStatus::rejected:
            return "rejected";
        case ResultStatus::failed:
            return "failed";
    }
    return "?";
}

Expected<std::string> result_payload(const CommandResult& result) {
    std::string field;
    if (auto why = check(result, field)) {
        return make_error(std::string(error::bad_input), "result." + field + ": " + *why);
    }
    nlohmann::ordered_json payload;
    payload["v"] = k_result_version;
    payload["id"] = result.id ? json(*result.id) : json(nullptr);
    payload["gateway"] = result.gateway;
    payload["status"] = to_string(result.status);
    payload["reason"] = result.reason ? json(*result.reason) : json(nullptr);
    payload["output"] = result.output;
    payload["ts"] = result.ts_ms;
    return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

Expected<std::string> sign_result(const CommandResult& result, const PrivateKey& gateway_key) {
    auto payload = result_payload(result);
    if (!payload) return std::unexpected(payload.error());
    return make_jws(JwsType::result, result.gateway, *payload, gateway_key);
}

Expected<CommandResult> parse_result(const Jws& jws) {
    if (jws.type != JwsType::result) {
        return field_error("header.typ", "must be \"" + std::string(k_result_typ) + "\"");
    }
    auto parsed = parse_strict_json(jws.payload, "payload", k_payload_max_depth,
                                    "payload.output may nest at most 16 levels");
    if (!parsed) return std::unexpected(parsed.error());
    json& payload = *parsed;
    if (!payload.is_object()) return field_error("payload", "must be a JSON object" + got(payload));
    auto v = payload.find("v");
    if (v == payload.end()) return field_error("payload", "has no \"v\"");
    if (!v->is_number_integer() || non_negative_integer(*v) != k_result_version) {
        return field_error("payload.v", "must be the integer 1, got " + printable(v->dump()));
    }
    for (const auto& [key, value] : payload.items()) {
        bool known = false;
        for (auto name : k_keys) known = known || key == name;
        if (!known) return field_error("payload", "unknown key \"" + printable(key) + "\"");
    }
    for (auto key : k_keys) {
        if (!payload.contains(std::string(key))) {
            return field_error("payload", "has no \"" + std::string(key) + "\"");
        }
    }
    CommandResult out;
    const json& id = payload["id"];
    if (!id.is_null() && !id.is_string())
        return field_error("payload.id", "must be a string or null" + got(id));
    if (id.is_string()) out.id = id.get<std::string>();
    const json& gateway = payload["gateway"];
    if (!gateway.is_string())
        return field_error("payload.gateway", "must be a string" + got(gateway));
    out.gateway = gateway.get<std::string>();
    const json& status = payload["status"];
    auto parsed_status =
        status.is_string() ? parse_status(status.get_ref<const std::string&>()) : std::nullopt;
    if (!parsed_status)
        return field_error("payload.status", "must be \"ok\", \"rejected\" or \"failed\"");
    out.status = *parsed_status;
    const json& reason = payload["reason"];
    if (!reason.is_null() && !reason.is_string()) {
        return field_error("payload.reason", "must be a string or null" + got(reason));
    }
    if (reason.is_string()) out.reason = reason.get<std::string>();
    auto ts = non_negative_integer(payload["ts"]);
    if (!ts)
        return field_error("payload.ts", "must be an integer >= 0 (Unix time in milliseconds)");
    out.ts_ms = *ts;
    out.output = std::move(payload["output"]);
    std::string field;
    if (auto why = check(out, field)) return field_error("payload." + field, *why);
    return out;
}

}  // namespace lintel::commands
