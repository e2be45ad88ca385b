// Whole-datagram decoding and encoding (see datagram.hpp).
#include "datagram.hpp"

namespace lintel::bacnet {

Expected<Datagram> decode_datagram(std::span<const std::uint8_t> datagram) {
    auto bvlc = decode_bvlc(datagram);
    if (!bvlc) return std::unexpected(bvlc.error());
    Datagram out{*bvlc, std::nullopt, std::nullopt};
    if (!carries_npdu(bvlc->function)) return out;
    auto npdu = decode_npdu(bvlc->payload, bvlc->payload_offset);
    if (!npdu) return std::unexpected(npdu.error());
    out.npdu = *npdu;
    if (npdu->is_network_message()) return out;
    auto apdu = decode_apdu(npdu->payload, npdu->payload_offset);
    if (!apdu) return std::unexpected(apdu.error());
    out.apdu = *apdu;
    return out;
}

Expected<std::vector<std::uint8_t>> encode_datagram(BvlcFunction function, const NpduHeader& header,
                                                    std::span<const std::uint8_t> apdu) {
    NpduHeader h = header;
    // The reply bit tells routers (and MS/TP masters) to hold the token for the answer.
    if (!apdu.empty() && (apdu[0] >> 4) == static_cast<unsigned>(PduType::confirmed_request)) {
        h.expecting_reply = true;
    }
    auto npdu = encode_npdu(h, apdu);
    if (!npdu) return std::unexpected(npdu.error());
    return encode_bvlc(function, *npdu);
}

}  // namespace lintel::bacnet
