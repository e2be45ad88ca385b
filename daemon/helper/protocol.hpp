// The lintel-helper wire protocol: one newline-terminated JSON request, one JSON response.
// Shared by the helper (server side), linteld's client and the fuzzer; no I/O here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"

namespace lintel::helper {

inline constexpr int k_protocol_version = 1;
// A request line longer than this (newline not counted) is refused with helper.too_large. Sized
// for write-config: 256 KiB of content plus its JSON escaping (a newline costs 2 bytes).
inline constexpr std::size_t k_max_request_bytes = 384 * 1024;
// Requests and responses are shallow. Deeper nesting is refused while parsing, so nothing
// downstream (copy, dump, compare: all recursive in nlohmann) can overflow the stack.
inline constexpr int k_max_nesting = 32;
// Responses are ours and small; the bound only stops a confused peer from growing a buffer.
inline constexpr std::size_t k_max_response_bytes = 1024 * 1024;

// Stable error codes: clients branch on them, so they never change meaning.
namespace codes {
inline constexpr std::string_view malformed = "helper.malformed";
inline constexpr std::string_view bad_version = "helper.bad_version";
inline constexpr std::string_view unknown_action = "helper.unknown_action";
inline constexpr std::string_view bad_params = "helper.bad_params";
inline constexpr std::string_view too_large = "helper.too_large";
inline constexpr std::string_view timeout = "helper.timeout";
inline constexpr std::string_view peer_refused = "helper.peer_refused";
// A path the action would change is not what it must be (a symlink, a directory where a file
// belongs, ...). Nothing was changed; an administrator has to look.
inline constexpr std::string_view unsafe_path = "helper.unsafe_path";
inline constexpr std::string_view internal = "helper.internal";
// Raised on the client side when the response itself is not a valid envelope.
inline constexpr std::string_view bad_response = "helper_client.bad_response";
}  // namespace codes

struct Request {
    std::string action;
    nlohmann::json params = nlohmann::json::object();  // always an object; {} when absent
};

// `line` is the request without its newline. Checks, in this order: valid JSON (UTF-8, no
// duplicate keys at any depth, nested at most k_max_nesting levels), an object, "v" == 1, no
// unknown keys, "action" a non-empty string, "params" (optional) an object. Whether the action
// exists is the dispatcher's call.
Expected<Request> parse_request(std::string_view line);

// For log lines only: the "action" string of a request that failed parse_request (say, a wrong
// version), when the line is at least a JSON object with a string "action".
std::optional<std::string> peek_action(std::string_view line);

// Each returns one line including the trailing '\n'. Invalid UTF-8 in a message (e.g. an echoed
// action name cut short) is replaced, never thrown.
std::string serialise_request(std::string_view action,
                              const nlohmann::json& params = nlohmann::json::object());
std::string serialise_ok(const nlohmann::ordered_json& result);
std::string serialise_error(const Error& error);

// `line` is a response without its newline. The result object when ok; the helper's Error when
// not; codes::bad_response when the envelope is not what serialise_ok/serialise_error produce.
Expected<nlohmann::json> parse_response(std::string_view line);

// The JSON type name for messages ("string", "array", ...).
std::string_view type_name(const nlohmann::json& value);

}  // namespace lintel::helper
