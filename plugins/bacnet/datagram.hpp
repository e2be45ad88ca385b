// A whole BACnet/IP datagram in one call: BVLC, then NPDU, then APDU header, with offsets
// relative to the datagram so every error points at the byte in a capture.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "apdu.hpp"
#include "bvlc.hpp"
#include "lintel/error.hpp"
#include "npdu.hpp"

namespace lintel::bacnet {

// Spans inside point into the datagram: keep it alive while using them.
struct Datagram {
    Bvlc bvlc;
    std::optional<Npdu> npdu;  // for the BVLC functions that carry one
    std::optional<Apdu> apdu;  // absent for network-layer messages and BVLC-only functions
};

Expected<Datagram> decode_datagram(std::span<const std::uint8_t> datagram);

// BVLC (unicast, broadcast or distribute-broadcast) + NPDU + `apdu`. A confirmed request's
// header must have expecting_reply set (encode_datagram sets it for Confirmed-Request APDUs).
Expected<std::vector<std::uint8_t>> encode_datagram(BvlcFunction function, const NpduHeader& header,
                                                    std::span<const std::uint8_t> apdu);

}  // namespace lintel::bacnet
