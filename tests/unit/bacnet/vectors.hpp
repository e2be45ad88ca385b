// Test helper: hex parsing and reference BACnet/IP datagrams. Every vector below was produced by
// @bacnet-js/client 3.3.2's own encoders (a second, independent implementation; the script is
// crosscheck/vectors.js) from the same parameters the lintel encoders are given in
// services_test.cpp and layers_test.cpp, and checked by hand against the encoding rules of
// ASHRAE 135 clause 20; lintel's encoders must reproduce them byte for byte.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lintel::bacnet {
using Bytes = std::vector<std::uint8_t>;  // as in tags.hpp
}  // namespace lintel::bacnet

namespace lintel::bacnet::test {

inline std::vector<std::uint8_t> hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    auto nibble = [](char c) {
        return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    };
    for (std::size_t i = 0; i + 1 < text.size();) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        out.push_back(static_cast<std::uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
        i += 2;
    }
    return out;
}

namespace vectors {
// Who-Is 100..200, global broadcast (DNET 0xFFFF, hop count 255), Original-Broadcast-NPDU.
inline constexpr std::string_view who_is_range = "810b00100120ffff00ff1008096419c8";
// I-Am device 1234, max APDU 1476, no segmentation, vendor 260.
inline constexpr std::string_view i_am = "810a001501001000c4020004d22205c49103220104";
// ReadProperty analog-input,1 present-value, invoke id 1.
inline constexpr std::string_view read_property = "810a001101040005010c0c000000011955";
// ReadProperty-ACK of that: REAL 21.5.
inline constexpr std::string_view read_property_ack =
    "810a0017010030010c0c0000000119553e4441ac00003f";
// ReadPropertyMultiple, invoke id 2: analog-input,1 {present-value, status-flags, units},
// binary-value,7 {present-value, object-name, priority-array[8]}.
inline constexpr std::string_view read_property_multiple =
    "810a002601040005020e0c000000011e0955096f09751f0c014000071e0955094d095719081f";
// ReadPropertyMultiple-ACK: analog-input,1 present-value 21.5, units 62 (degrees-celsius),
// description -> embedded Error property / unknown-property.
inline constexpr std::string_view read_property_multiple_ack =
    "810a0027010030020e0c000000011e29554e4441ac00004f29754e913e4f291c5e910291205f1f";
// WriteProperty analog-value,3 present-value REAL 22.5 at priority 8, invoke id 3.
inline constexpr std::string_view write_property_priority_8 =
    "810a001a01040005030f0c0080000319553e4441b400003f4908";
// WriteProperty analog-value,3 present-value NULL at priority 8 (relinquish), invoke id 4.
inline constexpr std::string_view write_property_relinquish =
    "810a001601040005040f0c0080000319553e003f4908";
// SubscribeCOV process 18, analog-input,1, confirmed notifications, lifetime 300, invoke id 5.
inline constexpr std::string_view subscribe_cov = "810a001601040005050509121c0000000129013a012c";
// SubscribeCOV cancellation (no flag, no lifetime), invoke id 6.
inline constexpr std::string_view subscribe_cov_cancel = "810a001101040005060509121c00000001";
// UnconfirmedCOVNotification process 18, device 1234, analog-input,1, 240 s left,
// present-value 21.5, status-flags {fault}.
inline constexpr std::string_view unconfirmed_cov_notification =
    "810a00280100100209121c020004d22c0000000139f04e09552e4441ac00002f096f2e8204402f4f";
// Error PDU to ReadProperty invoke id 1: property / unknown-property.
inline constexpr std::string_view error_pdu = "810a000d010050010c91029120";
// Abort from the server, invoke id 2, segmentation-not-supported.
inline constexpr std::string_view abort_pdu = "810a00090100710204";
// I-Am of device 20005 (max APDU 480, vendor 8) routed from network 5, MAC 0x0a (SNET/SADR).
inline constexpr std::string_view routed_i_am = "810a001801080005010a1000c402004e252201e091032108";
// ReadProperty analog-input,1 present-value to network 5, MAC 0x0a (DNET/DADR), invoke id 9.
inline constexpr std::string_view routed_read_property =
    "810a001601240005010aff0005090c0c000000011955";
// Forwarded-NPDU of a Who-Is (no range) originally from 192.168.1.20:47808.
inline constexpr std::string_view forwarded_who_is = "8104000ec0a80114bac001001008";
// Register-Foreign-Device, TTL 600 s.
inline constexpr std::string_view register_foreign_device = "810500060258";
}  // namespace vectors

}  // namespace lintel::bacnet::test
