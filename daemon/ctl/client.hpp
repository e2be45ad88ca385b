// lintelctl's side of the control socket: one request, one response, under one deadline.
// Blocking (poll), no asio: lintelctl links only the protocol.
#pragma once

#include <chrono>
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control/protocol.hpp"
#include "lintel/error.hpp"

namespace lintel::ctl {

// Errors raised on this side; the daemon's own arrive with their codes (control.*, config.*).
namespace codes {
inline constexpr std::string_view not_running = "ctl.not_running";  // no socket, no listener
inline constexpr std::string_view permission = "ctl.permission";    // connect() said EACCES
inline constexpr std::string_view timeout = "ctl.timeout";          // no answer in time
inline constexpr std::string_view io = "ctl.io";                    // connection broke
inline constexpr std::string_view usage = "ctl.usage";              // bad arguments
}  // namespace codes

// Exit codes (sysexits.h where one fits).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_error = 1;         // the daemon answered with an error
inline constexpr int k_exit_usage = 2;         // bad command line
inline constexpr int k_exit_unavailable = 69;  // EX_UNAVAILABLE: linteld not running/answering
inline constexpr int k_exit_noperm = 77;       // EX_NOPERM: not allowed

// The exit code for an error from call() or from the daemon.
int exit_code_for(const Error& error);

// The one line lintelctl prints for `error` (without "lintelctl: "), e.g. "linteld is not
// running (no socket at /run/lintel/control.sock)". Daemon errors end with their code.
std::string describe_error(const Error& error);

// Connects to `socket_path`, sends `request`, returns the result object of the response or
// the error (the daemon's, or one of codes above). Everything within `timeout`.
Expected<nlohmann::json> call(const std::filesystem::path& socket_path,
                              const control::Request& request, std::chrono::milliseconds timeout);

}  // namespace lintel::ctl
