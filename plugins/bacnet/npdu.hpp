// BACnet network layer (NPDU, ASHRAE 135 clause 6): version, control octet, the DNET/DADR a
// request carries to reach a device behind a router, the SNET/SADR a router adds to an answer,
// and network-layer messages (recognised and skipped, I-Am-Router-To-Network read).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::bacnet {

inline constexpr std::uint8_t kNpduVersion = 1;
inline constexpr std::uint16_t kGlobalBroadcastNetwork = 0xFFFF;

enum class NetworkPriority : std::uint8_t {
    normal = 0,
    urgent = 1,
    critical_equipment = 2,
    life_safety = 3,
};

// A remote station: network number and its MAC on that network (1 byte on MS/TP, 6 on B/IP and
// Ethernet). As a destination, an empty MAC is a broadcast on that network and network 0xFFFF a
// global broadcast.
struct NetworkAddress {
    std::uint16_t network = 0;
    std::vector<std::uint8_t> mac;
    bool operator==(const NetworkAddress&) const = default;
};

std::string to_string(const NetworkAddress& address);  // "network 5, MAC 0x0a"

// Network-layer message types that have a name here (others still decode).
namespace network_message {
inline constexpr std::uint8_t who_is_router_to_network = 0x00;
inline constexpr std::uint8_t i_am_router_to_network = 0x01;
inline constexpr std::uint8_t reject_message_to_network = 0x03;
inline constexpr std::uint8_t router_busy_to_network = 0x04;
inline constexpr std::uint8_t router_available_to_network = 0x05;
}  // namespace network_message

struct NpduHeader {
    bool expecting_reply = false;  // set on confirmed requests
    NetworkPriority priority = NetworkPriority::normal;
    std::optional<NetworkAddress> destination;    // DNET/DLEN/DADR
    std::uint8_t hop_count = 255;                 // sent and present only with a destination
    std::optional<NetworkAddress> source;         // SNET/SLEN/SADR: set by routers only
    std::optional<std::uint8_t> network_message;  // set: a network-layer message of this type
    std::uint16_t vendor_id = 0;                  // network message types 0x80..0xFF only
    bool operator==(const NpduHeader&) const = default;
};

struct Npdu {
    NpduHeader header;
    // The APDU, or the body of a network-layer message after its type (and vendor id).
    std::span<const std::uint8_t> payload;
    std::size_t payload_offset = 0;  // absolute offset of payload[0]

    bool is_network_message() const { return header.network_message.has_value(); }
};

// `base` is the offset of data[0] in the datagram (for error messages and payload_offset).
// Checks version 1, reserved control bits 0, address lengths against the input, a source
// address that is not a broadcast, and that an APDU follows when one is expected.
Expected<Npdu> decode_npdu(std::span<const std::uint8_t> data, std::size_t base = 0);

// Header + payload. Errors (bacnet.invalid_request) for a MAC longer than 255 bytes, an empty
// source MAC or a source network 0xFFFF, a vendor id missing from a proprietary message.
Expected<std::vector<std::uint8_t>> encode_npdu(const NpduHeader& header,
                                                std::span<const std::uint8_t> payload);

// "I-Am-Router-To-Network", "network message 0x14", "proprietary network message 0x80".
std::string network_message_name(std::uint8_t type);

// The networks an I-Am-Router-To-Network lists (error for any other message or an odd length).
Expected<std::vector<std::uint16_t>> decode_i_am_router_to_network(const Npdu& npdu);

}  // namespace lintel::bacnet
