// Who-Is and I-Am encoding and decoding (see discovery.hpp).
#include "discovery.hpp"

#include "tags.hpp"

namespace lintel::bacnet {
Expected<std::vector<std::uint8_t>> encode_who_is(const WhoIs& who_is) {
    Bytes data;
    if (who_is.low.has_value() != who_is.high.has_value()) {
        return invalid_request("Who-Is: give both instance limits or neither");
    }
    if (who_is.low) {
        if (*who_is.low > *who_is.high || *who_is.high > kMaxInstance) {
            return invalid_request("Who-Is: range " + std::to_string(*who_is.low) + ".." +
                                   std::to_string(*who_is.high) +
                                   " is not within 0..4194303 in order");
        }
        put_context_unsigned(data, 0, *who_is.low);
        put_context_unsigned(data, 1, *who_is.high);
    }
    return encode_unconfirmed_request(UnconfirmedService::who_is, data);
}

Expected<WhoIs> decode_who_is(const Apdu& apdu) {
    auto r = expect_unconfirmed(apdu, UnconfirmedService::who_is, "Who-Is");
    if (!r) return std::unexpected(r.error());
    WhoIs who_is;
    if (r->empty()) return who_is;
    const std::size_t at = r->offset();
    auto low = read_context_unsigned(*r, 0, "low limit");
    if (!low) return std::unexpected(low.error());
    auto high = read_context_unsigned(*r, 1, "high limit");
    if (!high) return std::unexpected(high.error());
    if (*low > kMaxInstance || *high > kMaxInstance) {
        return r->fail_at(at, "instance range " + std::to_string(*low) + ".." +
                                  std::to_string(*high) + " exceeds 4194303");
    }
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    who_is.low = static_cast<std::uint32_t>(*low);
    who_is.high = static_cast<std::uint32_t>(*high);
    return who_is;
}

bool who_is_matches(const WhoIs& who_is, std::uint32_t instance) {
    if (!who_is.low || !who_is.high) return true;
    return instance >= *who_is.low && instance <= *who_is.high;
}

Expected<std::vector<std::uint8_t>> encode_i_am(const IAm& i_am) {
    if (i_am.device.type != ObjectType::device) {
        return invalid_request("I-Am: " + to_text(i_am.device) + " is not a device object");
    }
    if (auto ok = check_object_id(i_am.device, "I-Am device"); !ok) {
        return std::unexpected(ok.error());
    }
    Bytes data;
    put_value(data, i_am.device);
    put_value(data, std::uint64_t{i_am.max_apdu});
    put_value(data, Enumerated{static_cast<std::uint32_t>(i_am.segmentation)});
    put_value(data, std::uint64_t{i_am.vendor_id});
    return encode_unconfirmed_request(UnconfirmedService::i_am, data);
}

Expected<IAm> decode_i_am(const Apdu& apdu) {
    auto r = expect_unconfirmed(apdu, UnconfirmedService::i_am, "I-Am");
    if (!r) return std::unexpected(r.error());
    IAm i_am;
    const std::size_t at = r->offset();
    auto device = read_app_object_id(*r, "device identifier");
    if (!device) return std::unexpected(device.error());
    if (device->type != ObjectType::device) {
        return r->fail_at(at, to_text(*device) + " is not a device object");
    }
    i_am.device = *device;
    const std::size_t max_at = r->offset();
    auto max_apdu = read_app_unsigned(*r, "max APDU length accepted");
    if (!max_apdu) return std::unexpected(max_apdu.error());
    if (*max_apdu < 50 || *max_apdu > 65535) {
        return r->fail_at(max_at,
                          "max APDU length " + std::to_string(*max_apdu) + " is outside 50..65535");
    }
    i_am.max_apdu = static_cast<std::uint32_t>(*max_apdu);
    const std::size_t seg_at = r->offset();
    auto segmentation = read_app_enumerated(*r, "segmentation supported");
    if (!segmentation) return std::unexpected(segmentation.error());
    if (*segmentation > 3) {
        return r->fail_at(seg_at, "segmentation " + std::to_string(*segmentation) + " is not 0..3");
    }
    i_am.segmentation = static_cast<Segmentation>(*segmentation);
    const std::size_t vendor_at = r->offset();
    auto vendor = read_app_unsigned(*r, "vendor id");
    if (!vendor) return std::unexpected(vendor.error());
    if (*vendor > 0xFFFF) {
        return r->fail_at(vendor_at, "vendor id " + std::to_string(*vendor) + " exceeds 65535");
    }
    i_am.vendor_id = static_cast<std::uint16_t>(*vendor);
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return i_am;
}

}  // namespace lintel::bacnet
