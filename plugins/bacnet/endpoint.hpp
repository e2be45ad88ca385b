// Text forms of BACnet/IP addresses as an installer writes them in devices.d and on the command
// line: "192.0.2.10" or "192.0.2.10:47808", and a station's MAC behind a router (DADR).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bvlc.hpp"

namespace lintel::bacnet {

// IPv4 only (BACnet/IP is IPv4; building networks are addressed by literal, not by name).
// A missing port is `default_port`. nullopt and `why` when the text is not an address.
std::optional<IpEndpoint> parse_ip_endpoint(std::string_view text, std::uint16_t default_port,
                                            std::string& why);

// A MAC on a remote BACnet network: a decimal 0-255 (one byte, MS/TP), "0x" and 2-14 hex
// digits (1-7 bytes), or "a.b.c.d:port" (the 6-byte B/IP MAC of a device on another IP network).
std::optional<std::vector<std::uint8_t>> parse_mac(std::string_view text, std::string& why);

bool is_any_address(const IpEndpoint& endpoint);  // 0.0.0.0
std::string ip_text(const IpEndpoint& endpoint);  // "192.0.2.10", without the port

}  // namespace lintel::bacnet
