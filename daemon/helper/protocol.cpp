// Request parsing and response serialisation for the lintel-helper protocol (see docs/helper.md).
#include "helper/protocol.hpp"

#include <cstdint>

#include "common/response_envelope.hpp"
#include "common/strict_json.hpp"

namespace lintel::helper {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr auto k_replace = json::error_handler_t::replace;

using common::printable;

// Duplicate keys, depth and UTF-8 are checked by the parser shared with the control socket.
Expected<json> parse_strict(std::string_view text, std::string_view what, std::string_view code) {
    return common::parse_strict_json(text, what, code, k_max_nesting);
}

Expected<void> check_version(const json& request) {
    auto it = request.find("v");
    if (it == request.end()) {
        return make_error(std::string(codes::malformed),
                          "request has no \"v\" (the protocol version; this helper speaks 1)");
    }
    const json& v = *it;
    if (!v.is_number()) {
        return make_error(std::string(codes::malformed),
                          "\"v\" must be the number 1, got " + std::string(type_name(v)));
    }
    const bool is_one =
        (v.is_number_unsigned() && v.get<std::uint64_t>() == 1) ||
        (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() == 1);
    if (!is_one) {
        return make_error(
            std::string(codes::bad_version),
            "protocol version " + printable(v.dump()) + " is not supported (this helper speaks 1)");
    }
    return {};
}

}  // namespace

std::string_view type_name(const json& value) { return value.type_name(); }

Expected<Request> parse_request(std::string_view line) {
    auto parsed = parse_strict(line, "request", codes::malformed);
    if (!parsed) return std::unexpected(parsed.error());
    json& request = *parsed;
    if (!request.is_object()) {
        return make_error(std::string(codes::malformed),
                          "request must be a JSON object, got " + std::string(type_name(request)));
    }
    // The version first: a newer client's extra keys are better explained by its version.
    if (auto version = check_version(request); !version) return std::unexpected(version.error());
    for (const auto& [key, value] : request.items()) {
        if (key != "v" && key != "action" && key != "params") {
            return make_error(
                std::string(codes::malformed),
                "unknown key \"" + printable(key) + "\" in request (allowed: v, action, params)");
        }
    }
    auto action = request.find("action");
    if (action == request.end()) {
        return make_error(std::string(codes::malformed), "request has no \"action\"");
    }
    if (!action->is_string()) {
        return make_error(std::string(codes::malformed),
                          "\"action\" must be a string, got " + std::string(type_name(*action)));
    }
    Request out;
    out.action = action->get<std::string>();
    if (out.action.empty()) {
        return make_error(std::string(codes::malformed), "\"action\" must not be empty");
    }
    if (auto params = request.find("params"); params != request.end()) {
        if (!params->is_object()) {
            return make_error(std::string(codes::malformed), "\"params\" must be an object, got " +
                                                                 std::string(type_name(*params)));
        }
        // Moved, not copied: copying is recursive, and a full request line can nest 100k+ levels
        // deep.
        out.params = std::move(*params);
    }
    return out;
}

std::optional<std::string> peek_action(std::string_view line) {
    auto parsed = parse_strict(line, "request", codes::malformed);
    if (!parsed || !parsed->is_object()) return std::nullopt;
    const json& request = *parsed;
    auto action = request.find("action");
    if (action == request.end() || !action->is_string()) return std::nullopt;
    return action->get<std::string>();
}

std::string serialise_request(std::string_view action, const json& params) {
    ordered_json request;
    request["v"] = k_protocol_version;
    request["action"] = action;
    if (!params.is_null() && !params.empty()) request["params"] = params;
    return request.dump(-1, ' ', false, k_replace) + "\n";
}

std::string serialise_ok(const ordered_json& result) {
    ordered_json response;
    response["v"] = k_protocol_version;
    response["ok"] = true;
    response["result"] = result;
    return response.dump(-1, ' ', false, k_replace) + "\n";
}

std::string serialise_error(const Error& error) { return common::serialise_error_line(error); }

Expected<json> parse_response(std::string_view line) {
    auto parsed = parse_strict(line, "helper response", codes::bad_response);
    if (!parsed) return std::unexpected(parsed.error());
    return common::unwrap_response(std::move(*parsed), "helper response", codes::bad_response);
}

}  // namespace lintel::helper
