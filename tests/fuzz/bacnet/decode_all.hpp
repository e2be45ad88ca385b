// Test support shared by the BACnet fuzzer and the truncation unit test: runs a datagram
// through every layer and the decoder of whatever service it carries, renders every decoded
// value as text and JSON, and re-encodes what was decoded to check that it decodes the same.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cov.hpp"
#include "datagram.hpp"
#include "discovery.hpp"
#include "read_property.hpp"
#include "write_property.hpp"

namespace lintel::bacnet::test {

// Called with false when something decoded does not survive a round trip (a bug, not bad
// input); the fuzzer aborts, the unit test fails.
using Check = void (*)(bool ok, const char* what);

inline void render(const Values& values) {
    for (const Value& v : values) {
        (void)to_text(v);
        (void)to_json(v);
        (void)as_double(v);
        (void)to_sdk_value(v);
    }
}

// Decodes `encoded` (a whole APDU our encoder made) with `decode` and compares with `original`.
template <typename T, typename Decode>
void round_trip(const Expected<std::vector<std::uint8_t>>& encoded, const T& original,
                Decode decode, Check check, const char* what) {
    if (!encoded) return;  // e.g. a decoded request too large to re-encode within kMaxApdu
    auto apdu = decode_apdu(*encoded);
    check(apdu.has_value(), what);
    if (!apdu) return;
    auto again = decode(*apdu);
    check(again.has_value() && *again == original, what);
}

// Values may hold NaN, which never compares equal: services with values are rendered, not
// round-tripped.
inline Expected<void> notification(const Apdu& a) {
    auto n = decode_cov_notification(a);
    if (!n) return std::unexpected(n.error());
    for (const auto& pv : n->values) render(pv.values);
    return {};
}

inline Expected<void> decode_service(const Apdu& a, Check check) {
    const auto fail = [](const Error& e) -> Expected<void> { return std::unexpected(e); };
    switch (a.type) {
        case PduType::unconfirmed_request:
            switch (static_cast<UnconfirmedService>(a.service)) {
                case UnconfirmedService::who_is: {
                    auto w = decode_who_is(a);
                    if (!w) return fail(w.error());
                    round_trip(encode_who_is(*w), *w, decode_who_is, check, "Who-Is");
                    return {};
                }
                case UnconfirmedService::i_am: {
                    auto i = decode_i_am(a);
                    if (!i) return fail(i.error());
                    round_trip(encode_i_am(*i), *i, decode_i_am, check, "I-Am");
                    return {};
                }
                case UnconfirmedService::unconfirmed_cov_notification:
                    return notification(a);
                default:
                    return {};
            }
        case PduType::confirmed_request:
            switch (static_cast<ConfirmedService>(a.service)) {
                case ConfirmedService::read_property: {
                    auto r = decode_read_property_request(a);
                    if (!r) return fail(r.error());
                    round_trip(encode_read_property(a.invoke_id, *r), *r,
                               decode_read_property_request, check, "ReadProperty");
                    return {};
                }
                case ConfirmedService::read_property_multiple: {
                    auto r = decode_read_property_multiple_request(a);
                    if (!r) return fail(r.error());
                    round_trip(encode_read_property_multiple(a.invoke_id, *r), *r,
                               decode_read_property_multiple_request, check,
                               "ReadPropertyMultiple");
                    return {};
                }
                case ConfirmedService::write_property: {
                    auto r = decode_write_property_request(a);
                    if (!r) return fail(r.error());
                    render(r->values);
                    return {};
                }
                case ConfirmedService::subscribe_cov: {
                    auto r = decode_subscribe_cov_request(a);
                    if (!r) return fail(r.error());
                    round_trip(encode_subscribe_cov(a.invoke_id, *r), *r,
                               decode_subscribe_cov_request, check, "SubscribeCOV");
                    return {};
                }
                case ConfirmedService::confirmed_cov_notification:
                    return notification(a);
                default:
                    return {};
            }
        case PduType::complex_ack:
            if (a.service == static_cast<std::uint8_t>(ConfirmedService::read_property)) {
                auto ack = decode_read_property_ack(a);
                if (!ack) return fail(ack.error());
                render(ack->values);
            } else if (a.service ==
                       static_cast<std::uint8_t>(ConfirmedService::read_property_multiple)) {
                auto ack = decode_read_property_multiple_ack(a);
                if (!ack) return fail(ack.error());
                for (const auto& object : *ack) {
                    for (const auto& result : object.results) {
                        auto values = values_of(result);
                        if (values) render(*values);
                    }
                }
            }
            return {};
        case PduType::simple_ack:
            return expect_simple_ack(a, static_cast<ConfirmedService>(a.service));
        default:  // Error, Reject, Abort: the answer is the refusal itself
            (void)remote_error(a);
            return {};
    }
}

inline Expected<void> decode_all(std::span<const std::uint8_t> datagram, Check check) {
    auto d = decode_datagram(datagram);
    if (!d) return std::unexpected(d.error());
    if (d->npdu && d->npdu->header.network_message == network_message::i_am_router_to_network) {
        auto networks = decode_i_am_router_to_network(*d->npdu);
        if (!networks) return std::unexpected(networks.error());
    }
    if (!d->apdu) return {};
    return decode_service(*d->apdu, check);
}

}  // namespace lintel::bacnet::test
