// The control socket's wire protocol (docs/lintelctl.md): one newline-terminated JSON request,
// one JSON response. Shared by the server in linteld, lintelctl and the fuzzer; no I/O here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::control {

inline constexpr int k_protocol_version = 1;
inline constexpr std::string_view k_default_socket_path = "/run/lintel/control.sock";
// A request line longer than this (newline not counted) is refused with control.too_large.
inline constexpr std::size_t k_max_request_bytes = 64 * 1024;
// Requests are flat. Deeper nesting is refused while parsing, so nothing downstream (copy,
// dump, compare: all recursive in nlohmann) can overflow the stack.
inline constexpr int k_max_request_nesting = 32;
// Responses are the daemon's own, but a client still bounds what it buffers and parses: a
// points list of every point on a large site is a few MiB at most.
inline constexpr std::size_t k_max_response_bytes = 16 * 1024 * 1024;
inline constexpr int k_max_response_nesting = 64;

inline constexpr std::uint32_t k_default_audit_limit = 100;
inline constexpr std::uint32_t k_max_audit_limit = 10000;
inline constexpr std::size_t k_max_device_name_bytes = 256;

// Stable error codes: clients branch on them, so they never change meaning. The daemon's own
// refusals (a reload with an invalid config, say) keep their module's code, e.g. config.invalid.
namespace codes {
inline constexpr std::string_view malformed = "control.malformed";  // not a valid request object
inline constexpr std::string_view bad_version = "control.bad_version";
inline constexpr std::string_view unknown_command = "control.unknown_command";
inline constexpr std::string_view bad_args = "control.bad_args";
inline constexpr std::string_view too_large = "control.too_large";
inline constexpr std::string_view timeout = "control.timeout";      // request, or daemon's answer
inline constexpr std::string_view refused = "control.refused";      // peer not allowed
inline constexpr std::string_view busy = "control.busy";            // too many connections
inline constexpr std::string_view not_found = "control.not_found";  // e.g. no such device
inline constexpr std::string_view internal = "control.internal";
// Raised on the client side when the response itself is not a valid envelope.
inline constexpr std::string_view bad_response = "ctl.bad_response";
}  // namespace codes

enum class Command { status, queue, points, audit, check_config, reload, log_level };

// Wire names: "status", "queue", "points", "audit", "check-config", "reload", "log-level".
std::string_view command_name(Command command);
std::optional<Command> command_from_name(std::string_view name);
// "debug", "info", "warning", "error" (the names lintel.yaml uses).
std::string_view log_level_name(sdk::LogLevel level);
std::optional<sdk::LogLevel> log_level_from_name(std::string_view name);

struct Request {
    Command command = Command::status;
    std::optional<std::string> device;            // points: only this device's points
    std::int64_t since_ms = 0;                    // audit: entries at or after this Unix time (ms)
    std::uint32_t limit = k_default_audit_limit;  // audit: at most this many (the newest)
    sdk::LogLevel level = sdk::LogLevel::info;    // log-level

    bool operator==(const Request&) const = default;
};

// `line` is the request without its newline. Checks, in this order: valid JSON (UTF-8, no
// duplicate keys at any depth, nested at most k_max_request_nesting levels) → malformed; an
// object → malformed; "v" present and a number → malformed, == 1 → bad_version; "cmd" a
// non-empty string → malformed; a known command → unknown_command; only that command's
// arguments, each of the right type and range → bad_args.
Expected<Request> parse_request(std::string_view line);

// For log lines only: the "cmd" string of a line that failed parse_request, if it has one.
std::optional<std::string> peek_command(std::string_view line);

// One line for logs and audit: "status", "points device=meter-1", "audit since=0 limit=100",
// "log-level debug". Peer-chosen strings are cut and reduced to printable ASCII.
std::string describe(const Request& request);

// Each returns one line including the trailing '\n'. Invalid UTF-8 (a device name cut short)
// is replaced, never thrown.
std::string serialise_request(const Request& request);
std::string serialise_ok(const nlohmann::json& result);
std::string serialise_error(const Error& error);

// `line` is a response without its newline. The result object when ok; the daemon's Error when
// not; codes::bad_response when the envelope is not what serialise_ok/serialise_error produce.
Expected<nlohmann::json> parse_response(std::string_view line);

}  // namespace lintel::control
