// Every stable code of the wpa_supplicant control client (docs/dot1x.md, "Reason codes").
#pragma once

#include <array>
#include <string_view>

namespace lintel::wpa::reason {

// Reaching wpa_supplicant (WpaControl).
inline constexpr std::string_view unreachable =
    "wpa.unreachable";                                            // no socket, or nobody behind it
inline constexpr std::string_view permission = "wpa.permission";  // its socket refuses us
inline constexpr std::string_view timeout = "wpa.timeout";        // no reply within the deadline
inline constexpr std::string_view io = "wpa.io";  // our own socket: directory, bind, send, receive
inline constexpr std::string_view closed = "wpa.closed";  // close() ran while the request waited
// What it answered (or what we would have sent).
inline constexpr std::string_view bad_command =
    "wpa.bad_command";  // empty, too long, control chars
inline constexpr std::string_view command_failed = "wpa.command_failed";  // FAIL, UNKNOWN COMMAND
inline constexpr std::string_view bad_reply = "wpa.bad_reply";    // a reply that does not parse
inline constexpr std::string_view bad_event = "wpa.bad_event";    // an event that does not parse
inline constexpr std::string_view bad_escape = "wpa.bad_escape";  // a printf-escaped value
inline constexpr std::string_view bad_value = "wpa.bad_value";  // a config value we will not write
// await_authorized.
inline constexpr std::string_view auth_failed = "wpa.auth_failed";    // EAP failure (reason given)
inline constexpr std::string_view auth_timeout = "wpa.auth_timeout";  // not authorized in time

inline constexpr std::array all{unreachable, permission,     timeout,     io,        closed,
                                bad_command, command_failed, bad_reply,   bad_event, bad_escape,
                                bad_value,   auth_failed,    auth_timeout};

}  // namespace lintel::wpa::reason
