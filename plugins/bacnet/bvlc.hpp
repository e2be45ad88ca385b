// BACnet/IP virtual link layer (BVLC, ASHRAE 135 Annex J): the 4-byte header in front of every
// B/IP datagram, foreign-device registration and the forwarded/broadcast NPDU wrappers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::bacnet {

inline constexpr std::uint8_t kBvlcType = 0x81;  // BACnet/IP (Annex J)
inline constexpr std::size_t kBvlcHeaderSize = 4;
inline constexpr std::uint16_t kDefaultPort = 47808;  // 0xBAC0

enum class BvlcFunction : std::uint8_t {
    result = 0x00,
    write_broadcast_distribution_table = 0x01,
    read_broadcast_distribution_table = 0x02,
    read_broadcast_distribution_table_ack = 0x03,
    forwarded_npdu = 0x04,
    register_foreign_device = 0x05,
    read_foreign_device_table = 0x06,
    read_foreign_device_table_ack = 0x07,
    delete_foreign_device_table_entry = 0x08,
    distribute_broadcast_to_network = 0x09,
    original_unicast_npdu = 0x0A,
    original_broadcast_npdu = 0x0B,
    secure_bvll = 0x0C,
};

// BVLC-Result codes (0 = successful completion, the others are NAKs).
namespace bvlc_result {
inline constexpr std::uint16_t successful_completion = 0x0000;
inline constexpr std::uint16_t write_bdt_nak = 0x0010;
inline constexpr std::uint16_t read_bdt_nak = 0x0020;
inline constexpr std::uint16_t register_foreign_device_nak = 0x0030;
inline constexpr std::uint16_t read_fdt_nak = 0x0040;
inline constexpr std::uint16_t delete_fdt_entry_nak = 0x0050;
inline constexpr std::uint16_t distribute_broadcast_to_network_nak = 0x0060;
}  // namespace bvlc_result

// A B/IP address: IPv4 address and UDP port, 6 bytes on the wire (also a B/IP MAC in the NPDU).
struct IpEndpoint {
    std::array<std::uint8_t, 4> address{};
    std::uint16_t port = kDefaultPort;
    bool operator==(const IpEndpoint&) const = default;
};

std::string to_string(const IpEndpoint& endpoint);  // "192.0.2.10:47808"

struct Bvlc {
    BvlcFunction function = BvlcFunction::original_unicast_npdu;
    // The NPDU for unicast, broadcast, forwarded and distribute-broadcast; the raw body of the
    // table functions and Secure-BVLL (not interpreted); empty for Result and Register.
    std::span<const std::uint8_t> payload;
    std::size_t payload_offset = kBvlcHeaderSize;  // offset of payload[0] in the datagram
    std::optional<IpEndpoint> original_source;     // Forwarded-NPDU: who really sent it
    std::uint16_t result_code = 0;                 // BVLC-Result
    std::uint16_t time_to_live = 0;                // Register-Foreign-Device, seconds
};

// True for the functions whose payload is an NPDU.
bool carries_npdu(BvlcFunction function);
std::string_view bvlc_function_name(BvlcFunction function);
// "successful completion", "register foreign device NAK", ...
std::string_view bvlc_result_text(std::uint16_t code);

// Decodes the BVLC of a whole UDP datagram: type 0x81, a known function, the length field equal
// to the datagram's size, and the fixed sizes of Result, Register-Foreign-Device and Forwarded.
Expected<Bvlc> decode_bvlc(std::span<const std::uint8_t> datagram);

// Original-Unicast-NPDU, Original-Broadcast-NPDU or Distribute-Broadcast-To-Network around npdu.
Expected<std::vector<std::uint8_t>> encode_bvlc(BvlcFunction function,
                                                std::span<const std::uint8_t> npdu);
Expected<std::vector<std::uint8_t>> encode_forwarded_npdu(const IpEndpoint& original_source,
                                                          std::span<const std::uint8_t> npdu);
// Registration with a BBMD for `time_to_live_s` seconds (the BBMD adds a 30 s grace period).
std::vector<std::uint8_t> encode_register_foreign_device(std::uint16_t time_to_live_s);
std::vector<std::uint8_t> encode_bvlc_result(std::uint16_t code);

}  // namespace lintel::bacnet
