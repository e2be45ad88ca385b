// BACnet/IP BVLC encoding and decoding (see bvlc.hpp).
#include "bvlc.hpp"

#include "reader.hpp"

namespace lintel::bacnet {
namespace {

constexpr std::size_t kMaxDatagram = 0xFFFF;  // the BVLC length field is 16 bits

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::vector<std::uint8_t> header(BvlcFunction function, std::size_t total) {
    std::vector<std::uint8_t> out;
    out.reserve(total);
    out.push_back(kBvlcType);
    out.push_back(static_cast<std::uint8_t>(function));
    put16(out, static_cast<std::uint16_t>(total));
    return out;
}

Expected<void> check_size(std::size_t total) {
    if (total > kMaxDatagram) {
        return invalid_request("BVLC: datagram of " + std::to_string(total) +
                               " bytes exceeds the 65535 the length field can carry");
    }
    return {};
}

}  // namespace

std::string to_string(const IpEndpoint& endpoint) {
    std::string out;
    for (std::size_t i = 0; i < endpoint.address.size(); ++i) {
        if (i > 0) out += '.';
        out += std::to_string(endpoint.address[i]);
    }
    return out + ":" + std::to_string(endpoint.port);
}

bool carries_npdu(BvlcFunction function) {
    return function == BvlcFunction::forwarded_npdu ||
           function == BvlcFunction::distribute_broadcast_to_network ||
           function == BvlcFunction::original_unicast_npdu ||
           function == BvlcFunction::original_broadcast_npdu;
}

std::string_view bvlc_function_name(BvlcFunction function) {
    switch (function) {
        case BvlcFunction::result:
            return "BVLC-Result";
        case BvlcFunction::write_broadcast_distribution_table:
            return "Write-Broadcast-Distribution-Table";
        case BvlcFunction::read_broadcast_distribution_table:
            return "Read-Broadcast-Distribution-Table";
        case BvlcFunction::read_broadcast_distribution_table_ack:
            return "Read-Broadcast-Distribution-Table-Ack";
        case BvlcFunction::forwarded_npdu:
            return "Forwarded-NPDU";
        case BvlcFunction::register_foreign_device:
            return "Register-Foreign-Device";
        case BvlcFunction::read_foreign_device_table:
            return "Read-Foreign-Device-Table";
        case BvlcFunction::read_foreign_device_table_ack:
            return "Read-Foreign-Device-Table-Ack";
        case BvlcFunction::delete_foreign_device_table_entry:
            return "Delete-Foreign-Device-Table-Entry";
        case BvlcFunction::distribute_broadcast_to_network:
            return "Distribute-Broadcast-To-Network";
        case BvlcFunction::original_unicast_npdu:
            return "Original-Unicast-NPDU";
        case BvlcFunction::original_broadcast_npdu:
            return "Original-Broadcast-NPDU";
        case BvlcFunction::secure_bvll:
            return "Secure-BVLL";
    }
    return "unknown BVLC function";
}

std::string_view bvlc_result_text(std::uint16_t code) {
    switch (code) {
        case bvlc_result::successful_completion:
            return "successful completion";
        case bvlc_result::write_bdt_nak:
            return "write broadcast distribution table NAK";
        case bvlc_result::read_bdt_nak:
            return "read broadcast distribution table NAK";
        case bvlc_result::register_foreign_device_nak:
            return "register foreign device NAK";
        case bvlc_result::read_fdt_nak:
            return "read foreign device table NAK";
        case bvlc_result::delete_fdt_entry_nak:
            return "delete foreign device table entry NAK";
        case bvlc_result::distribute_broadcast_to_network_nak:
            return "distribute broadcast to network NAK";
        default:
            return "unknown BVLC result";
    }
}

Expected<Bvlc> decode_bvlc(std::span<const std::uint8_t> datagram) {
    Reader r(datagram, "BVLC");
    if (datagram.size() < kBvlcHeaderSize) {
        return r.fail("datagram of " + std::to_string(datagram.size()) +
                      " bytes is shorter than the 4-byte BVLC header");
    }
    const std::uint8_t type = *r.u8("type");
    if (type != kBvlcType) {
        return r.fail_at(0, "type " + hex8(type) + " is not BACnet/IP (0x81)");
    }
    const std::uint8_t function = *r.u8("function");
    if (function > static_cast<std::uint8_t>(BvlcFunction::secure_bvll)) {
        return r.fail_at(1, "unknown function " + hex8(function));
    }
    const std::uint16_t length = *r.u16("length");
    if (length != datagram.size()) {
        return r.fail_at(2, "length field says " + std::to_string(length) +
                                " bytes but the datagram has " + std::to_string(datagram.size()));
    }
    Bvlc bvlc;
    bvlc.function = static_cast<BvlcFunction>(function);
    const std::string name(bvlc_function_name(bvlc.function));
    const auto exact = [&](std::size_t size) -> Expected<void> {
        if (datagram.size() != size) {
            return r.fail_at(2, name + " of " + std::to_string(datagram.size()) +
                                    " bytes (expected " + std::to_string(size) + ")");
        }
        return {};
    };
    switch (bvlc.function) {
        case BvlcFunction::result:
            if (auto ok = exact(6); !ok) return std::unexpected(ok.error());
            bvlc.result_code = *r.u16("result code");
            return bvlc;
        case BvlcFunction::register_foreign_device:
            if (auto ok = exact(6); !ok) return std::unexpected(ok.error());
            bvlc.time_to_live = *r.u16("time-to-live");
            return bvlc;
        case BvlcFunction::forwarded_npdu: {
            auto source = r.bytes(6, "Forwarded-NPDU original source address");
            if (!source) return std::unexpected(source.error());
            IpEndpoint ep;
            for (std::size_t i = 0; i < 4; ++i) ep.address[i] = (*source)[i];
            ep.port = static_cast<std::uint16_t>(((*source)[4] << 8) | (*source)[5]);
            bvlc.original_source = ep;
            break;
        }
        default:
            break;
    }
    bvlc.payload_offset = r.offset();
    bvlc.payload = r.rest();
    if (carries_npdu(bvlc.function) && bvlc.payload.empty()) {
        return r.fail(name + " carries no NPDU");
    }
    return bvlc;
}

Expected<std::vector<std::uint8_t>> encode_bvlc(BvlcFunction function,
                                                std::span<const std::uint8_t> npdu) {
    if (function != BvlcFunction::original_unicast_npdu &&
        function != BvlcFunction::original_broadcast_npdu &&
        function != BvlcFunction::distribute_broadcast_to_network) {
        return invalid_request("BVLC: " + std::string(bvlc_function_name(function)) +
                               " is not an NPDU wrapper encode_bvlc makes");
    }
    const std::size_t total = kBvlcHeaderSize + npdu.size();
    if (auto ok = check_size(total); !ok) return std::unexpected(ok.error());
    auto out = header(function, total);
    out.insert(out.end(), npdu.begin(), npdu.end());
    return out;
}

Expected<std::vector<std::uint8_t>> encode_forwarded_npdu(const IpEndpoint& original_source,
                                                          std::span<const std::uint8_t> npdu) {
    const std::size_t total = kBvlcHeaderSize + 6 + npdu.size();
    if (auto ok = check_size(total); !ok) return std::unexpected(ok.error());
    auto out = header(BvlcFunction::forwarded_npdu, total);
    out.insert(out.end(), original_source.address.begin(), original_source.address.end());
    put16(out, original_source.port);
    out.insert(out.end(), npdu.begin(), npdu.end());
    return out;
}

std::vector<std::uint8_t> encode_register_foreign_device(std::uint16_t time_to_live_s) {
    auto out = header(BvlcFunction::register_foreign_device, 6);
    put16(out, time_to_live_s);
    return out;
}

std::vector<std::uint8_t> encode_bvlc_result(std::uint16_t code) {
    auto out = header(BvlcFunction::result, 6);
    put16(out, code);
    return out;
}

}  // namespace lintel::bacnet
