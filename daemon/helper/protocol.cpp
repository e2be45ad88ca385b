// Request parsing and response serialisation for the lintel-helper protocol (see docs/helper.md).
#include "helper/protocol.hpp"

#include <cstdint>
#include <set>
#include <vector>

namespace lintel::helper {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr auto k_replace = json::error_handler_t::replace;

// Messages may quote what the peer sent; keep them printable ASCII so a response or a log line
// can never carry control characters or broken UTF-8 from an untrusted peer.
std::string printable(std::string_view text, std::size_t max = 120) {
    std::string out;
    for (char c : text) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        out += (u >= 0x20 && u < 0x7f) ? c : '?';
    }
    return out;
}

// nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2: <why>;
// last read: '<peer bytes>'; expected <token>". Keep <why> and the expectation, drop the echo.
std::string describe_parse_error(const json::parse_error& e, const std::string& subject) {
    std::string text = e.what();
    if (auto colon = text.find(": "); colon != std::string::npos) text.erase(0, colon + 2);
    const std::string echo = "; last read: '";
    if (auto start = text.find(echo); start != std::string::npos) {
        const std::string tail = "'; expected ";
        auto expect = text.rfind(tail);
        std::string rest = expect != std::string::npos && expect >= start + echo.size()
                               ? "; expected " + text.substr(expect + tail.size())
                               : std::string();
        text.erase(start);
        text += rest;
    }
    return subject + " is not valid JSON at byte " + std::to_string(e.byte) + ": " +
           printable(text);
}

// Parses `what` ("request" or "response"), refusing duplicate keys at any depth (two "action"
// keys could mean different things to different readers, so neither is picked) and nesting
// deeper than k_max_nesting. Errors have code `code`.
Expected<json> parse_strict(std::string_view text, std::string_view what, std::string_view code) {
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    bool too_deep = false;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
        // Past the depth limit nothing is kept or checked: the parse only runs on to its end
        // (iteratively, without building values). nlohmann skips object_end for discarded
        // objects, so the duplicate tracking below would be off from here on anyway.
        if (too_deep) return false;
        switch (event) {
            case json::parse_event_t::array_start:
            case json::parse_event_t::object_start:
                if (depth >= k_max_nesting) {
                    too_deep = true;
                    return false;
                }
                if (event == json::parse_event_t::object_start) open_objects.emplace_back();
                return true;
            case json::parse_event_t::object_end:
                if (!open_objects.empty()) open_objects.pop_back();
                return true;
            case json::parse_event_t::key:
                if (!open_objects.empty() && parsed.is_string() &&
                    !open_objects.back().insert(parsed.get<std::string>()).second &&
                    duplicate.empty()) {
                    duplicate = parsed.get<std::string>();
                }
                return true;
            default:
                return true;
        }
    };
    const std::string subject(what);
    try {
        json value = json::parse(text.begin(), text.end(), callback);
        if (too_deep) {
            return make_error(std::string(code), subject + " is nested deeper than " +
                                                     std::to_string(k_max_nesting) + " levels");
        }
        if (!duplicate.empty()) {
            return make_error(std::string(code),
                              "duplicate key \"" + printable(duplicate) + "\" in " + subject);
        }
        return value;
    } catch (const json::parse_error& e) {
        return make_error(std::string(code), describe_parse_error(e, subject));
    } catch (const json::exception& e) {  // e.g. out_of_range for a number that overflows
        return make_error(std::string(code),
                          subject + " is not valid JSON: " + printable(e.what()));
    }
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
        // Moved, not copied: copying is recursive, and 64 KiB can nest 32k levels deep.
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

std::string serialise_error(const Error& error) {
    ordered_json response;
    response["v"] = k_protocol_version;
    response["ok"] = false;
    response["error"] = {{"code", error.code}, {"message", error.message}};
    return response.dump(-1, ' ', false, k_replace) + "\n";
}

Expected<json> parse_response(std::string_view line) {
    auto bad = [](const std::string& why) {
        return make_error(std::string(codes::bad_response), "helper response " + why);
    };
    auto parsed = parse_strict(line, "helper response", codes::bad_response);
    if (!parsed) return std::unexpected(parsed.error());
    json& response = *parsed;
    if (!response.is_object()) return bad("is not a JSON object");
    // Extra keys are tolerated: a newer helper may add fields an older linteld does not know.
    auto v = response.find("v");
    if (v == response.end() || !v->is_number_integer() || v->get<std::int64_t>() != 1) {
        return bad("does not have \"v\": 1");
    }
    auto ok = response.find("ok");
    if (ok == response.end() || !ok->is_boolean()) return bad("has no boolean \"ok\"");
    if (ok->get<bool>()) {
        auto result = response.find("result");
        if (result == response.end() || !result->is_object()) {
            return bad("is ok but has no \"result\" object");
        }
        return std::move(*result);
    }
    auto error = response.find("error");
    if (error == response.end() || !error->is_object()) return bad("has no \"error\" object");
    auto code = error->find("code");
    auto message = error->find("message");
    if (code == error->end() || !code->is_string() || message == error->end() ||
        !message->is_string()) {
        return bad("has an \"error\" without string \"code\" and \"message\"");
    }
    return make_error(code->get<std::string>(), message->get<std::string>());
}

}  // namespace lintel::helper
