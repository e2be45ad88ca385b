// BACnet NPDU encoding and decoding (see npdu.hpp).
#include "npdu.hpp"

#include <array>

#include "reader.hpp"

namespace lintel::bacnet {
namespace {

constexpr unsigned kNetworkMessageBit = 0x80;
constexpr unsigned kDestinationBit = 0x20;
constexpr unsigned kSourceBit = 0x08;
constexpr unsigned kExpectingReplyBit = 0x04;
constexpr unsigned kReservedBits = 0x50;

constexpr std::array<std::string_view, 20> kNetworkMessages{
    "Who-Is-Router-To-Network",
    "I-Am-Router-To-Network",
    "I-Could-Be-Router-To-Network",
    "Reject-Message-To-Network",
    "Router-Busy-To-Network",
    "Router-Available-To-Network",
    "Initialize-Routing-Table",
    "Initialize-Routing-Table-Ack",
    "Establish-Connection-To-Network",
    "Disconnect-Connection-To-Network",
    "Challenge-Request",
    "Security-Payload",
    "Security-Response",
    "Request-Key-Update",
    "Update-Key-Set",
    "Update-Distribution-Key",
    "Request-Master-Key",
    "Set-Master-Key",
    "What-Is-Network-Number",
    "Network-Number-Is",
};

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

Expected<NetworkAddress> read_address(Reader& r, std::string_view which) {
    const std::string net(std::string(which) + "NET");
    const std::string len(std::string(which) + "LEN");
    auto network = r.u16(net);
    if (!network) return std::unexpected(network.error());
    auto mac_length = r.u8(len);
    if (!mac_length) return std::unexpected(mac_length.error());
    auto mac = r.bytes(*mac_length, std::string(which) + "ADR");
    if (!mac) return std::unexpected(mac.error());
    return NetworkAddress{*network, {mac->begin(), mac->end()}};
}

void put_address(std::vector<std::uint8_t>& out, const NetworkAddress& a) {
    put16(out, a.network);
    out.push_back(static_cast<std::uint8_t>(a.mac.size()));
    out.insert(out.end(), a.mac.begin(), a.mac.end());
}

std::unexpected<Error> invalid(std::string message) {
    return invalid_request("NPDU: " + std::move(message));
}

}  // namespace

std::string to_string(const NetworkAddress& address) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string mac;
    for (std::uint8_t b : address.mac) {
        mac += kDigits[b >> 4];
        mac += kDigits[b & 0x0F];
    }
    return "network " + std::to_string(address.network) +
           (mac.empty() ? std::string(", broadcast") : ", MAC 0x" + mac);
}

std::string network_message_name(std::uint8_t type) {
    if (type < kNetworkMessages.size()) return std::string(kNetworkMessages[type]);
    return (type >= 0x80 ? "proprietary network message " : "network message ") + hex8(type);
}

Expected<Npdu> decode_npdu(std::span<const std::uint8_t> data, std::size_t base) {
    Reader r(data, "NPDU", base);
    auto version = r.u8("version");
    if (!version) return std::unexpected(version.error());
    if (*version != kNpduVersion) {
        return r.fail_at(base, "version " + std::to_string(*version) + " is not 1");
    }
    auto control = r.u8("control octet");
    if (!control) return std::unexpected(control.error());
    if ((*control & kReservedBits) != 0) {
        return r.fail_at(base + 1, "control octet " + hex8(*control) + " sets reserved bits");
    }
    Npdu npdu;
    NpduHeader& h = npdu.header;
    h.expecting_reply = (*control & kExpectingReplyBit) != 0;
    h.priority = static_cast<NetworkPriority>(*control & 0x03U);
    if ((*control & kDestinationBit) != 0) {
        auto dest = read_address(r, "D");
        if (!dest) return std::unexpected(dest.error());
        h.destination = std::move(*dest);
    }
    if ((*control & kSourceBit) != 0) {
        const std::size_t at = r.offset();
        auto src = read_address(r, "S");
        if (!src) return std::unexpected(src.error());
        if (src->mac.empty() || src->network == kGlobalBroadcastNetwork) {
            return r.fail_at(at, "source " + to_string(*src) + " is a broadcast address");
        }
        h.source = std::move(*src);
    }
    if (h.destination) {
        auto hops = r.u8("hop count");
        if (!hops) return std::unexpected(hops.error());
        h.hop_count = *hops;
    }
    if ((*control & kNetworkMessageBit) != 0) {
        auto type = r.u8("network message type");
        if (!type) return std::unexpected(type.error());
        h.network_message = *type;
        if (*type >= 0x80) {
            auto vendor = r.u16("network message vendor id");
            if (!vendor) return std::unexpected(vendor.error());
            h.vendor_id = *vendor;
        }
    } else if (r.empty()) {
        return r.fail("carries no APDU");
    }
    npdu.payload_offset = r.offset();
    npdu.payload = r.rest();
    return npdu;
}

Expected<std::vector<std::uint8_t>> encode_npdu(const NpduHeader& header,
                                                std::span<const std::uint8_t> payload) {
    for (const auto* a : {&header.destination, &header.source}) {
        if (*a && (*a)->mac.size() > 255) {
            return invalid("MAC of " + std::to_string((*a)->mac.size()) + " bytes (at most 255)");
        }
    }
    if (header.source &&
        (header.source->mac.empty() || header.source->network == kGlobalBroadcastNetwork)) {
        return invalid("source " + to_string(*header.source) + " is a broadcast address");
    }
    unsigned control = static_cast<unsigned>(header.priority) & 0x03U;
    if (header.expecting_reply) control |= kExpectingReplyBit;
    if (header.destination) control |= kDestinationBit;
    if (header.source) control |= kSourceBit;
    if (header.network_message) control |= kNetworkMessageBit;
    std::vector<std::uint8_t> out;
    out.reserve(2 + 18 + 3 + payload.size());
    out.push_back(kNpduVersion);
    out.push_back(static_cast<std::uint8_t>(control));
    if (header.destination) put_address(out, *header.destination);
    if (header.source) put_address(out, *header.source);
    if (header.destination) out.push_back(header.hop_count);
    if (header.network_message) {
        out.push_back(*header.network_message);
        if (*header.network_message >= 0x80) put16(out, header.vendor_id);
    } else if (payload.empty()) {
        return invalid("an NPDU without a network message needs an APDU");
    }
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Expected<std::vector<std::uint16_t>> decode_i_am_router_to_network(const Npdu& npdu) {
    Reader r(npdu.payload, "I-Am-Router-To-Network", npdu.payload_offset);
    if (npdu.header.network_message != network_message::i_am_router_to_network) {
        return r.fail("not an I-Am-Router-To-Network message");
    }
    if (npdu.payload.size() % 2 != 0) {
        return r.fail("network list of " + std::to_string(npdu.payload.size()) +
                      " bytes is not a whole number of 2-byte network numbers");
    }
    std::vector<std::uint16_t> networks;
    while (!r.empty()) networks.push_back(*r.u16("network number"));
    return networks;
}

}  // namespace lintel::bacnet
