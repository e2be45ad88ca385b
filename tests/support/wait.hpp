// Test support: waiting with deadlines instead of sleeping, free ports, temp dirs and files.
// Includes files.hpp and watchdog.hpp, so one include gives a test all of its waiting tools.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "support/files.hpp"
#include "support/watchdog.hpp"

namespace lintel::test {

// Polls `predicate` every `poll_interval` until it holds (true) or `timeout` passed (false).
// The predicate is checked once more at the deadline, so a slow poll cannot miss it.
bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval = std::chrono::milliseconds(5));

// A TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads the port back, closes.
// Race: between the close and the peer's bind another process may take it. The window is short
// and ephemeral ports are handed out round-robin, so in practice a collision is very rare; a
// fixture that fails to bind should report it plainly (not hang) so a rerun fixes it.
std::uint16_t free_tcp_port();

// A UDP port on `ip` (a loopback address such as 127.0.0.3) that was free a moment ago; the same
// race as free_tcp_port. For BACnet/IP tests, which never use 127.0.0.1:47808.
std::uint16_t free_udp_port(const char* ip);

// Polls connect() to 127.0.0.1:port until it succeeds or `timeout` passed.
// Note: a probe connection shows up in the peer's log as a client that connected and left.
bool wait_for_tcp_port(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace lintel::test
