// Unit tests of the BACnet/IP link and network layers: BVLC functions, NPDU addressing (routed
// messages from and to devices behind routers), network-layer messages, whole datagrams.
#include <gtest/gtest.h>

#include <string>

#include "bvlc.hpp"
#include "datagram.hpp"
#include "npdu.hpp"
#include "read_property.hpp"
#include "vectors.hpp"

namespace lintel::bacnet {
namespace {

using test::hex;
namespace vectors = test::vectors;

bool mentions(const Error& e, const std::string& text) {
    return e.message.find(text) != std::string::npos;
}

// ---- BVLC ----

TEST(BacnetBvlc, OriginalUnicastAndBroadcast) {
    const Bytes npdu = hex("01 00 10 08");
    auto unicast = encode_bvlc(BvlcFunction::original_unicast_npdu, npdu);
    ASSERT_TRUE(unicast);
    EXPECT_EQ(*unicast, hex("81 0a 00 08 01 00 10 08"));
    auto decoded = decode_bvlc(*unicast);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->function, BvlcFunction::original_unicast_npdu);
    EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()), npdu);
    EXPECT_EQ(decoded->payload_offset, 4U);

    auto broadcast = encode_bvlc(BvlcFunction::original_broadcast_npdu, npdu);
    ASSERT_TRUE(broadcast);
    EXPECT_EQ((*broadcast)[1], 0x0B);
    auto distribute = encode_bvlc(BvlcFunction::distribute_broadcast_to_network, npdu);
    ASSERT_TRUE(distribute);
    EXPECT_EQ(decode_bvlc(*distribute)->function, BvlcFunction::distribute_broadcast_to_network);
    EXPECT_FALSE(encode_bvlc(BvlcFunction::forwarded_npdu, npdu));
    EXPECT_FALSE(encode_bvlc(BvlcFunction::original_unicast_npdu, Bytes(70000, 0)));
}

TEST(BacnetBvlc, ForwardedNpduCarriesTheOriginalSource) {
    const IpEndpoint source{{192, 168, 1, 20}, 47808};
    auto forwarded = encode_forwarded_npdu(source, hex("01 00 10 08"));
    ASSERT_TRUE(forwarded);
    EXPECT_EQ(*forwarded, hex(vectors::forwarded_who_is));  // cross-checked
    auto decoded = decode_bvlc(*forwarded);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->function, BvlcFunction::forwarded_npdu);
    ASSERT_TRUE(decoded->original_source);
    EXPECT_EQ(*decoded->original_source, source);
    EXPECT_EQ(to_string(*decoded->original_source), "192.168.1.20:47808");
    EXPECT_EQ(decoded->payload_offset, 10U);
    EXPECT_EQ(decoded->payload.size(), 4U);
    auto short_forward = decode_bvlc(hex("81 04 00 09 c0 a8 01 14 ba"));
    ASSERT_FALSE(short_forward);
    EXPECT_TRUE(mentions(short_forward.error(), "original source address needs 6 bytes"));
}

TEST(BacnetBvlc, RegisterForeignDeviceAndResult) {
    EXPECT_EQ(encode_register_foreign_device(600), hex(vectors::register_foreign_device));
    auto reg = decode_bvlc(hex(vectors::register_foreign_device));
    ASSERT_TRUE(reg) << reg.error().message;
    EXPECT_EQ(reg->function, BvlcFunction::register_foreign_device);
    EXPECT_EQ(reg->time_to_live, 600);

    const Bytes nak = encode_bvlc_result(bvlc_result::register_foreign_device_nak);
    EXPECT_EQ(nak, hex("81 00 00 06 00 30"));
    auto result = decode_bvlc(nak);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->function, BvlcFunction::result);
    EXPECT_EQ(result->result_code, 0x30);
    EXPECT_EQ(bvlc_result_text(result->result_code), "register foreign device NAK");
    EXPECT_EQ(bvlc_result_text(0), "successful completion");
    EXPECT_EQ(bvlc_result_text(0x99), "unknown BVLC result");
    EXPECT_FALSE(decode_bvlc(hex("81 00 00 07 00 30 00")));  // Result is exactly 6 bytes
    EXPECT_FALSE(decode_bvlc(hex("81 05 00 05 02")));        // Register is exactly 6 bytes
}

TEST(BacnetBvlc, HeaderErrors) {
    const struct {
        std::string wire;
        std::string message;
    } cases[] = {
        {"81 0a 00", "BVLC: datagram of 3 bytes is shorter than the 4-byte BVLC header"},
        {"82 0a 00 08 01 00 10 08", "BVLC: type 0x82 is not BACnet/IP (0x81) at offset 0"},
        {"81 0d 00 04", "BVLC: unknown function 0x0d at offset 1"},
        {"81 0a 00 09 01 00 10 08",
         "BVLC: length field says 9 bytes but the datagram has 8 at offset 2"},
        {"81 0a 00 04", "Original-Unicast-NPDU carries no NPDU at offset 4"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.wire);
        auto b = decode_bvlc(hex(c.wire));
        ASSERT_FALSE(b);
        EXPECT_EQ(b.error().code, "bacnet.malformed");
        EXPECT_TRUE(mentions(b.error(), c.message)) << b.error().message;
    }
}

TEST(BacnetBvlc, TableFunctionsDecodeAsRawPayload) {
    auto read_bdt = decode_bvlc(hex("81 02 00 04"));
    ASSERT_TRUE(read_bdt);
    EXPECT_TRUE(read_bdt->payload.empty());
    EXPECT_FALSE(carries_npdu(read_bdt->function));
    auto fdt_ack = decode_bvlc(hex("81 07 00 0e c0 a8 01 14 ba c0 02 58 01 0e"));
    ASSERT_TRUE(fdt_ack);
    EXPECT_EQ(fdt_ack->payload.size(), 10U);
    EXPECT_EQ(bvlc_function_name(fdt_ack->function), "Read-Foreign-Device-Table-Ack");
}

// ---- NPDU ----

TEST(BacnetNpdu, LocalMessageWithoutAddresses) {
    NpduHeader h;
    h.expecting_reply = true;
    auto bytes = encode_npdu(h, hex("00 05 01 0c"));
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, hex("01 04 00 05 01 0c"));
    auto n = decode_npdu(*bytes, 4);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(n->header, h);
    EXPECT_EQ(n->payload_offset, 6U);
    EXPECT_FALSE(n->is_network_message());
}

TEST(BacnetNpdu, RoutedAnswerFromARouterCarriesSnetSadr) {
    // Cross-checked vector: an I-Am from device 20005 on MS/TP network 5, MAC 0x0a, relayed by a
    // router; the gateway must answer with DNET 5 / DADR 0x0a.
    const Bytes wire = hex(vectors::routed_i_am);
    auto d = decode_datagram(wire);
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_TRUE(d->npdu);
    const NpduHeader& h = d->npdu->header;
    ASSERT_TRUE(h.source);
    EXPECT_EQ(*h.source, (NetworkAddress{5, {0x0a}}));
    EXPECT_EQ(to_string(*h.source), "network 5, MAC 0x0a");
    EXPECT_FALSE(h.destination);
    ASSERT_TRUE(d->apdu);
    EXPECT_EQ(d->apdu->data_offset, 12U);

    NpduHeader routed;
    routed.source = NetworkAddress{5, {0x0a}};
    auto again = encode_npdu(routed, d->npdu->payload);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, Bytes(wire.begin() + 4, wire.end()));
}

TEST(BacnetNpdu, RequestToADeviceBehindARouterCarriesDnetDadrAndHopCount) {
    NpduHeader h;
    h.destination = NetworkAddress{5, {0x0a}};
    h.expecting_reply = true;
    auto bytes = encode_npdu(h, hex("00 05 09 0c"));
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, hex("01 24 00 05 01 0a ff 00 05 09 0c"));
    auto n = decode_npdu(*bytes);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(n->header, h);
    EXPECT_EQ(n->header.hop_count, 255);

    NpduHeader both;
    both.destination = NetworkAddress{kGlobalBroadcastNetwork, {}};
    both.source = NetworkAddress{7, {1, 2, 3, 4, 5, 6}};
    both.priority = NetworkPriority::life_safety;
    both.hop_count = 3;
    auto all = encode_npdu(both, hex("10 08"));
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, hex("01 2b ff ff 00 00 07 06 01 02 03 04 05 06 03 10 08"));
    EXPECT_EQ(decode_npdu(*all)->header, both);
}

TEST(BacnetNpdu, NetworkLayerMessagesAreRecognisedAndSkipped) {
    NpduHeader h;
    h.network_message = network_message::i_am_router_to_network;
    auto bytes = encode_npdu(h, hex("00 05 00 06"));
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, hex("01 80 01 00 05 00 06"));
    auto datagram = encode_bvlc(BvlcFunction::original_broadcast_npdu, *bytes);
    auto d = decode_datagram(*datagram);
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_TRUE(d->npdu);
    EXPECT_TRUE(d->npdu->is_network_message());
    EXPECT_FALSE(d->apdu);  // nothing for the application layer
    EXPECT_EQ(network_message_name(*d->npdu->header.network_message), "I-Am-Router-To-Network");
    auto networks = decode_i_am_router_to_network(*d->npdu);
    ASSERT_TRUE(networks) << networks.error().message;
    EXPECT_EQ(*networks, (std::vector<std::uint16_t>{5, 6}));

    auto odd = decode_npdu(hex("01 80 01 00 05 00"));
    ASSERT_TRUE(odd);
    EXPECT_FALSE(decode_i_am_router_to_network(*odd));

    auto proprietary = decode_npdu(hex("01 80 90 01 04 aa bb"));
    ASSERT_TRUE(proprietary) << proprietary.error().message;
    EXPECT_EQ(proprietary->header.vendor_id, 260);
    EXPECT_EQ(proprietary->payload.size(), 2U);
    EXPECT_EQ(network_message_name(0x90), "proprietary network message 0x90");
    EXPECT_EQ(network_message_name(0x30), "network message 0x30");
    EXPECT_FALSE(decode_npdu(hex("01 80 90 01")));  // vendor id cut short
    EXPECT_FALSE(decode_npdu(hex("01 80")));        // no message type
}

TEST(BacnetNpdu, Errors) {
    const struct {
        std::string wire;
        std::string message;
    } cases[] = {
        {"02 00 10 08", "NPDU: version 2 is not 1 at offset 10"},
        {"01 40 10 08", "NPDU: control octet 0x40 sets reserved bits at offset 11"},
        {"01 00", "NPDU: carries no APDU at offset 12"},
        {"01 20 00 05 03 0a", "NPDU: DADR needs 3 bytes but only 1 remain at offset 15"},
        {"01 20 00 05 01 0a", "NPDU: hop count is missing (no bytes left) at offset 16"},
        {"01 08 00 05 00 10 08", "source network 5, broadcast is a broadcast address at offset 12"},
        {"01 08 ff ff 01 0a 10 08", "is a broadcast address"},
        {"01 08 00", "SNET needs 2 bytes but only 1 remain"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.wire);
        auto n = decode_npdu(hex(c.wire), 10);
        ASSERT_FALSE(n);
        EXPECT_TRUE(mentions(n.error(), c.message)) << n.error().message;
    }
    NpduHeader bad;
    bad.source = NetworkAddress{5, {}};
    EXPECT_FALSE(encode_npdu(bad, hex("10 08")));
    EXPECT_FALSE(encode_npdu(NpduHeader{}, {}));
    NpduHeader long_mac;
    long_mac.destination = NetworkAddress{5, Bytes(256, 1)};
    EXPECT_FALSE(encode_npdu(long_mac, hex("10 08")));
}

// ---- whole datagrams ----

TEST(BacnetDatagram, OffsetsAreRelativeToTheDatagram) {
    auto d = decode_datagram(hex(vectors::routed_read_property));
    ASSERT_TRUE(d) << d.error().message;
    ASSERT_TRUE(d->npdu && d->apdu);
    EXPECT_EQ(d->npdu->payload_offset, 11U);
    EXPECT_EQ(d->apdu->data_offset, 15U);
    EXPECT_EQ(d->npdu->header.destination, (NetworkAddress{5, {0x0a}}));

    // A broken tag deep inside is reported at its offset in the datagram.
    Bytes broken = hex(vectors::read_property_ack);
    broken[17] = 0x45;  // REAL with an extended length...
    broken[18] = 0x09;  // ...of 9 bytes, where 5 remain
    auto dg = decode_datagram(broken);
    ASSERT_TRUE(dg) << dg.error().message;
    auto ack = decode_read_property_ack(*dg->apdu);
    ASSERT_FALSE(ack);
    EXPECT_EQ(ack.error().message,
              "ReadProperty-ACK: application tag 4 (REAL) length 9 exceeds the 4 bytes left at "
              "offset 17");
}

TEST(BacnetDatagram, EncodeSetsExpectingReplyForConfirmedRequests) {
    auto d = encode_datagram(BvlcFunction::original_unicast_npdu, NpduHeader{},
                             hex("00 05 01 0c 0c 00 00 00 01 19 55"));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d, hex(vectors::read_property));
    auto u = encode_datagram(BvlcFunction::original_unicast_npdu, NpduHeader{}, hex("10 08"));
    ASSERT_TRUE(u);
    EXPECT_EQ((*u)[5], 0x00);
}

}  // namespace
}  // namespace lintel::bacnet
