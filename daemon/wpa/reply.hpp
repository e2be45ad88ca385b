// Datagrams of wpa_supplicant's control socket: telling events from replies, checking replies,
// checking commands before they are sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::wpa {

// wpa_supplicant 2.10 reads a request into a 4096-byte buffer (ctrl_iface_unix.c).
inline constexpr std::size_t k_max_command_bytes = 4095;

// An unsolicited message: "<N>..." from an interface socket, "IFNAME=<if> <N>..." from the
// global one. Everything else is the reply to the request in flight.
bool is_unsolicited(std::string_view datagram);

// The first word of a command: what messages and logs name (the rest may hold a secret, e.g.
// SET_NETWORK 0 password ...).
std::string_view command_verb(std::string_view command);

// Not empty, at most k_max_command_bytes, printable ASCII (no newline, no NUL): else
// wpa.bad_command naming the verb and the offset.
Expected<void> check_command(std::string_view command);

// "FAIL..." or "UNKNOWN COMMAND" is wpa.command_failed naming the verb; anything else passes.
Expected<void> refusal(std::string_view reply, std::string_view verb);

// The reply must be "OK" (newline optional): else wpa.command_failed with what came instead.
Expected<void> expect_ok(std::string_view reply, std::string_view verb);

// PING's answer must be "PONG".
Expected<void> expect_pong(std::string_view reply);

// The start of a reply, escaped and cut, for an error message.
std::string shown(std::string_view reply, std::size_t max = 80);

}  // namespace lintel::wpa
