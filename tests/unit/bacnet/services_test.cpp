// Unit tests of the services: every encoder against a cross-checked byte vector (vectors.hpp),
// every decoder on that vector, and round trips through both directions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cov.hpp"
#include "datagram.hpp"
#include "discovery.hpp"
#include "error_text.hpp"
#include "read_property.hpp"
#include "vectors.hpp"
#include "write_property.hpp"

namespace lintel::bacnet {
namespace {

using test::hex;
namespace vectors = test::vectors;

constexpr ObjectId kAi1{ObjectType::analog_input, 1};
constexpr ObjectId kAv3{ObjectType::analog_value, 3};
constexpr ObjectId kBv7{ObjectType::binary_value, 7};

// The whole unicast datagram around an APDU the way the driver sends it.
Bytes unicast(const Expected<Bytes>& apdu, NpduHeader header = {}) {
    EXPECT_TRUE(apdu) << apdu.error().message;
    auto d = encode_datagram(BvlcFunction::original_unicast_npdu, header, apdu.value_or(Bytes{}));
    EXPECT_TRUE(d) << d.error().message;
    return d.value_or(Bytes{});
}

// Keeps the datagram alive next to its decoded APDU (whose spans point into it).
struct Received {
    Bytes bytes;
    Apdu apdu;
};

Received receive(std::string_view wire) {
    Received r{hex(wire), {}};
    auto d = decode_datagram(r.bytes);
    EXPECT_TRUE(d) << d.error().message;
    if (d && d->apdu) r.apdu = *d->apdu;
    return r;
}

Received receive(const Bytes& apdu) {
    Received r{apdu, {}};
    auto a = decode_apdu(r.bytes);
    EXPECT_TRUE(a) << a.error().message;
    if (a) r.apdu = *a;
    return r;
}

// ---- Who-Is / I-Am ----

TEST(BacnetDiscovery, WhoIsWithRangeMatchesCrossCheckedBytes) {
    NpduHeader global;
    global.destination = NetworkAddress{kGlobalBroadcastNetwork, {}};
    auto apdu = encode_who_is(WhoIs{100, 200});
    ASSERT_TRUE(apdu);
    auto d = encode_datagram(BvlcFunction::original_broadcast_npdu, global, *apdu);
    EXPECT_EQ(d.value(), hex(vectors::who_is_range));

    const Received r = receive(vectors::who_is_range);
    auto who = decode_who_is(r.apdu);
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_EQ(*who, (WhoIs{100, 200}));
    EXPECT_TRUE(who_is_matches(*who, 150));
    EXPECT_FALSE(who_is_matches(*who, 201));
    EXPECT_TRUE(who_is_matches(WhoIs{}, 4194303));
}

TEST(BacnetDiscovery, WhoIsWithoutRangeAndInvalidRanges) {
    EXPECT_EQ(encode_who_is(WhoIs{}).value(), hex("10 08"));
    EXPECT_EQ(decode_who_is(receive(hex("10 08")).apdu).value(), WhoIs{});
    EXPECT_FALSE(encode_who_is(WhoIs{5, std::nullopt}));
    EXPECT_FALSE(encode_who_is(WhoIs{10, 5}));
    EXPECT_FALSE(encode_who_is(WhoIs{0, kMaxInstance + 1}));
    EXPECT_EQ(encode_who_is(WhoIs{0, kMaxInstance}).value(), hex("10 08 09 00 1b 3f ff ff"));
    auto only_low = decode_who_is(receive(hex("10 08 09 64")).apdu);
    ASSERT_FALSE(only_low);
    EXPECT_EQ(only_low.error().message,
              "Who-Is: high limit (context tag 1) is missing at offset 4");
    EXPECT_FALSE(decode_who_is(receive(hex("10 08 0b 40 00 00 19 01")).apdu));  // low > 4194303
    EXPECT_FALSE(decode_who_is(receive(hex("10 00")).apdu));                    // that is an I-Am
}

TEST(BacnetDiscovery, IAmMatchesCrossCheckedBytes) {
    const IAm i_am{{ObjectType::device, 1234}, 1476, Segmentation::none, 260};
    EXPECT_EQ(unicast(encode_i_am(i_am)), hex(vectors::i_am));
    const Received r = receive(vectors::i_am);
    auto decoded = decode_i_am(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, i_am);

    const Received routed = receive(vectors::routed_i_am);
    auto behind_router = decode_i_am(routed.apdu);
    ASSERT_TRUE(behind_router) << behind_router.error().message;
    EXPECT_EQ(behind_router->device.instance, 20005U);
    EXPECT_EQ(behind_router->max_apdu, 480U);
    EXPECT_EQ(behind_router->vendor_id, 8);
}

TEST(BacnetDiscovery, IAmErrors) {
    EXPECT_FALSE(encode_i_am(IAm{{ObjectType::analog_input, 1}, 1476, Segmentation::none, 1}));
    auto not_device = decode_i_am(receive(hex("10 00 c4 00 00 00 01 22 05 c4 91 03 21 08")).apdu);
    ASSERT_FALSE(not_device);
    EXPECT_EQ(not_device.error().message,
              "I-Am: analog-input,1 is not a device object at offset 2");
    auto small = decode_i_am(receive(hex("10 00 c4 02 00 00 01 21 10 91 03 21 08")).apdu);
    ASSERT_FALSE(small);
    EXPECT_NE(small.error().message.find("max APDU length 16 is outside 50..65535 at offset 7"),
              std::string::npos);
    EXPECT_FALSE(decode_i_am(receive(hex("10 00 c4 02 00 00 01 22 05 c4 91 04 21 08")).apdu));
    EXPECT_FALSE(decode_i_am(receive(hex("10 00 c4 02 00 00 01 22 05 c4 91 03 23 01 00 00")).apdu));
    auto extra = decode_i_am(receive(hex("10 00 c4 02 00 00 01 22 05 c4 91 03 21 08 00")).apdu);
    ASSERT_FALSE(extra);
    EXPECT_NE(
        extra.error().message.find("1 unexpected trailing byte(s) (application tag 0 (NULL))"),
        std::string::npos);
}

// ---- ReadProperty ----

TEST(BacnetReadProperty, RequestMatchesCrossCheckedBytes) {
    const ReadPropertyRequest request{kAi1, {PropertyId::present_value, std::nullopt}};
    EXPECT_EQ(unicast(encode_read_property(1, request)), hex(vectors::read_property));
    const Received r = receive(vectors::read_property);
    EXPECT_EQ(r.apdu.invoke_id, 1);
    EXPECT_EQ(decode_read_property_request(r.apdu).value(), request);

    NpduHeader routed;
    routed.destination = NetworkAddress{5, {0x0a}};
    EXPECT_EQ(unicast(encode_read_property(9, request), routed),
              hex(vectors::routed_read_property));
}

TEST(BacnetReadProperty, AckWithARealMatchesCrossCheckedBytes) {
    const ReadPropertyAck ack{kAi1, {PropertyId::present_value, std::nullopt}, {Value{21.5F}}};
    EXPECT_EQ(unicast(encode_read_property_ack(1, ack)), hex(vectors::read_property_ack));
    const Received r = receive(vectors::read_property_ack);
    auto decoded = decode_read_property_ack(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->object, kAi1);
    EXPECT_EQ(decoded->ref.property, PropertyId::present_value);
    ASSERT_EQ(decoded->values.size(), 1U);
    EXPECT_EQ(as_double(decoded->values[0]), 21.5);
}

TEST(BacnetReadProperty, ArrayIndexAndListValuesRoundTrip) {
    const ReadPropertyRequest request{{ObjectType::device, 1234}, {PropertyId::object_list, 0}};
    const Received req = receive(encode_read_property(200, request).value());
    EXPECT_EQ(decode_read_property_request(req.apdu).value(), request);

    const ReadPropertyAck ack{{ObjectType::device, 1234},
                              {PropertyId::object_list, std::nullopt},
                              {Value{kAi1}, Value{kAv3}, Value{kBv7}}};
    const Received r = receive(encode_read_property_ack(200, ack).value());
    auto decoded = decode_read_property_ack(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->values, ack.values);
    EXPECT_EQ(to_text(decoded->values), "analog-input,1, analog-value,3, binary-value,7");
}

TEST(BacnetReadProperty, DeviceErrorsAndMalformedAcks) {
    const Received err = receive(vectors::error_pdu);
    auto refused = decode_read_property_ack(err.apdu);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "bacnet.error.property.unknown_property");
    EXPECT_TRUE(is_remote_error(refused.error()));

    auto empty = decode_read_property_ack(receive(hex("30 01 0c 0c 00 00 00 01 19 55 3e 3f")).apdu);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().message, "ReadProperty-ACK: property value is empty at offset 10");
    auto no_value = decode_read_property_ack(receive(hex("30 01 0c 0c 00 00 00 01 19 55")).apdu);
    ASSERT_FALSE(no_value);
    EXPECT_EQ(no_value.error().message,
              "ReadProperty-ACK: property value must start with opening tag 3, but no tag is left "
              "at offset 10");
    EXPECT_FALSE(encode_read_property(1, {{static_cast<ObjectType>(2000), 1}, {}}));
    EXPECT_FALSE(
        encode_read_property(1, {kAi1, {static_cast<PropertyId>(kMaxPropertyId + 1), {}}}));
    EXPECT_FALSE(encode_read_property_ack(1, {kAi1, {}, {}}));
}

// ---- ReadPropertyMultiple ----

std::vector<ReadAccessSpec> two_objects() {
    return {{kAi1,
             {{PropertyId::present_value, {}},
              {PropertyId::status_flags, {}},
              {PropertyId::units, {}}}},
            {kBv7,
             {{PropertyId::present_value, {}},
              {PropertyId::object_name, {}},
              {PropertyId::priority_array, 8}}}};
}

TEST(BacnetReadPropertyMultiple, RequestMatchesCrossCheckedBytes) {
    const auto specs = two_objects();
    const Bytes datagram = unicast(encode_read_property_multiple(2, specs));
    EXPECT_EQ(datagram, hex(vectors::read_property_multiple));
    const Received r = receive(vectors::read_property_multiple);
    EXPECT_EQ(decode_read_property_multiple_request(r.apdu).value(), specs);
}

TEST(BacnetReadPropertyMultiple, SizeHelperMatchesTheEncoder) {
    auto specs = two_objects();
    EXPECT_EQ(read_property_multiple_size(specs), encode_read_property_multiple(2, specs)->size());
    specs.push_back(
        {{static_cast<ObjectType>(1023), kMaxInstance},
         {{static_cast<PropertyId>(kMaxPropertyId), 0xFFFFFFFFU}, {PropertyId::all, 300}}});
    EXPECT_EQ(read_property_multiple_size(specs), encode_read_property_multiple(2, specs)->size());
    EXPECT_EQ(read_access_spec_size(specs[0]), 5U + 2U + 6U);

    // Batching: keep adding objects while the request fits a 480-byte device.
    std::vector<ReadAccessSpec> batch;
    const ReadAccessSpec one{kAi1,
                             {{PropertyId::present_value, {}}, {PropertyId::status_flags, {}}}};
    while (read_property_multiple_size(batch) + read_access_spec_size(one) <= 480) {
        batch.push_back(one);
    }
    EXPECT_LE(encode_read_property_multiple(1, batch)->size(), 480U);
    batch.push_back(one);
    EXPECT_GT(encode_read_property_multiple(1, batch)->size(), 480U);

    EXPECT_FALSE(encode_read_property_multiple(1, {}));
    const ReadAccessSpec nothing{kAi1, {}};
    EXPECT_FALSE(encode_read_property_multiple(1, std::span(&nothing, 1)));
    std::vector<ReadAccessSpec> huge(200, ReadAccessSpec{kAi1, {{PropertyId::present_value, {}}}});
    auto too_big = encode_read_property_multiple(1, huge);
    ASSERT_FALSE(too_big);
    EXPECT_NE(too_big.error().message.find("exceeds the maximum APDU of 1476 bytes"),
              std::string::npos);
}

TEST(BacnetReadPropertyMultiple, AckWithEmbeddedErrorMatchesCrossCheckedBytes) {
    const std::vector<ReadAccessResult> results{
        {kAi1,
         {{{PropertyId::present_value, {}}, Values{Value{21.5F}}},
          {{PropertyId::units, {}}, Values{Value{Enumerated{units::degrees_celsius}}}},
          {{PropertyId::description, {}},
           PropertyAccessError{error_class::property, error_code::unknown_property}}}}};
    EXPECT_EQ(unicast(encode_read_property_multiple_ack(2, results)),
              hex(vectors::read_property_multiple_ack));

    const Received r = receive(vectors::read_property_multiple_ack);
    auto decoded = decode_read_property_multiple_ack(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    ASSERT_EQ(decoded->size(), 1U);
    const ReadAccessResult& ai = (*decoded)[0];
    EXPECT_EQ(ai.object, kAi1);
    ASSERT_EQ(ai.results.size(), 3U);
    EXPECT_EQ(values_of(ai.results[0]).value(), Values{Value{21.5F}});
    EXPECT_EQ(units_symbol(static_cast<std::uint32_t>(*as_int64(values_of(ai.results[1])->at(0)))),
              "°C");
    EXPECT_EQ(ai.results[2].ref.property, PropertyId::description);
    EXPECT_EQ(std::get<PropertyAccessError>(ai.results[2].result),
              (PropertyAccessError{error_class::property, error_code::unknown_property}));
    auto description = values_of(ai.results[2]);
    ASSERT_FALSE(description);
    EXPECT_EQ(description.error().code, "bacnet.error.property.unknown_property");
    EXPECT_EQ(description.error().message,
              "device answered description with Error property / unknown-property: the object "
              "has no such property; check the point map");
}

TEST(BacnetReadPropertyMultiple, UndecodableValueCostsOnlyItsOwnResult) {
    // present-value is a CharacterString in JIS X 0208: framed correctly, not decodable here.
    const Bytes ack =
        hex("30 02 0e 0c 00 00 00 01 1e"
            "29 55 4e 73 02 41 42 4f"
            "29 6f 4e 82 04 00 4f"
            "1f");
    const Received r = receive(ack);
    auto decoded = decode_read_property_multiple_ack(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const auto& results = (*decoded)[0].results;
    ASSERT_EQ(results.size(), 2U);
    auto pv = values_of(results[0]);
    ASSERT_FALSE(pv);
    EXPECT_EQ(pv.error().code, "bacnet.unsupported");
    EXPECT_TRUE(values_of(results[1]));
    EXPECT_FALSE(encode_read_property_multiple_ack(2, *decoded));  // a decode error is not data
}

TEST(BacnetReadPropertyMultiple, MalformedAcks) {
    auto neither = decode_read_property_multiple_ack(
        receive(hex("30 02 0e 0c 00 00 00 01 1e 29 55 6e 6f 1f")).apdu);
    ASSERT_FALSE(neither);
    EXPECT_EQ(
        neither.error().message,
        "ReadPropertyMultiple-ACK: result of present-value must be opening tag 4 (value) or 5 "
        "(error), found opening tag 6 at offset 11");
    EXPECT_FALSE(decode_read_property_multiple_ack(receive(hex("30 02 0e")).apdu));
    EXPECT_FALSE(decode_read_property_multiple_ack(
        receive(hex("30 02 0e 0c 00 00 00 01 1e 29 55 5e 91 02 5f 1f")).apdu));  // no error code
    // An object without its list of results is an answer cut short.
    auto bare = decode_read_property_multiple_ack(receive(hex("30 02 0e 0c 00 00 00 01")).apdu);
    ASSERT_FALSE(bare);
    EXPECT_EQ(bare.error().message,
              "ReadPropertyMultiple-ACK: list of results must start with opening tag 1, but no tag "
              "is left at offset 8");
    EXPECT_FALSE(decode_read_property_multiple_request(
        receive(hex("00 05 02 0e 0c 00 00 00 01 1e 1f")).apdu));  // no property reference
}

// ---- WriteProperty ----

TEST(BacnetWriteProperty, PriorityEightMatchesCrossCheckedBytes) {
    const WritePropertyRequest request{kAv3, {PropertyId::present_value, {}}, {Value{22.5F}}, 8};
    EXPECT_EQ(unicast(encode_write_property(3, request)), hex(vectors::write_property_priority_8));
    const Received r = receive(vectors::write_property_priority_8);
    EXPECT_EQ(decode_write_property_request(r.apdu).value(), request);
}

TEST(BacnetWriteProperty, NullRelinquishesMatchesCrossCheckedBytes) {
    const WritePropertyRequest request{kAv3, {PropertyId::present_value, {}}, {Value{Null{}}}, 8};
    EXPECT_EQ(unicast(encode_write_property(4, request)), hex(vectors::write_property_relinquish));
    const Received r = receive(vectors::write_property_relinquish);
    EXPECT_EQ(decode_write_property_request(r.apdu).value(), request);
}

TEST(BacnetWriteProperty, RoundTripsAndChecks) {
    const WritePropertyRequest plain{
        kBv7, {PropertyId::description, {}}, {Value{std::string("Pump")}}, std::nullopt};
    EXPECT_EQ(decode_write_property_request(receive(encode_write_property(1, plain).value()).apdu)
                  .value(),
              plain);
    const WritePropertyRequest element{
        kBv7, {PropertyId::priority_array, 16}, {Value{Enumerated{1}}}, 16};
    EXPECT_EQ(decode_write_property_request(receive(encode_write_property(1, element).value()).apdu)
                  .value(),
              element);
    EXPECT_FALSE(encode_write_property(1, {kAv3, {}, {}, 8}));
    EXPECT_FALSE(encode_write_property(1, {kAv3, {}, {Value{1.0F}}, 0}));
    EXPECT_FALSE(encode_write_property(1, {kAv3, {}, {Value{1.0F}}, 17}));
    auto bad_priority = decode_write_property_request(
        receive(hex("00 05 03 0f 0c 00 80 00 03 19 55 3e 00 3f 49 11")).apdu);
    ASSERT_FALSE(bad_priority);
    EXPECT_EQ(bad_priority.error().message,
              "WriteProperty: priority 17 is outside 1..16 at offset 14");

    EXPECT_TRUE(decode_write_property_ack(receive(hex("20 03 0f")).apdu));
    auto denied = decode_write_property_ack(
        receive(encode_error(3, ConfirmedService::write_property, error_class::property,
                             error_code::write_access_denied))
            .apdu);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, "bacnet.error.property.write_access_denied");
}

// ---- COV ----

TEST(BacnetCov, SubscribeConfirmedLifetime300MatchesCrossCheckedBytes) {
    const SubscribeCovRequest request{18, kAi1, true, 300};
    EXPECT_EQ(unicast(encode_subscribe_cov(5, request)), hex(vectors::subscribe_cov));
    const Received r = receive(vectors::subscribe_cov);
    auto decoded = decode_subscribe_cov_request(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, request);
    EXPECT_FALSE(decoded->is_cancellation());
}

TEST(BacnetCov, CancelMatchesCrossCheckedBytes) {
    const SubscribeCovRequest cancel{18, kAi1, std::nullopt, std::nullopt};
    EXPECT_TRUE(cancel.is_cancellation());
    EXPECT_EQ(unicast(encode_subscribe_cov(6, cancel)), hex(vectors::subscribe_cov_cancel));
    const Received r = receive(vectors::subscribe_cov_cancel);
    EXPECT_TRUE(decode_subscribe_cov_request(r.apdu)->is_cancellation());

    EXPECT_TRUE(decode_subscribe_cov_ack(receive(hex("20 05 05")).apdu));
    auto refused = decode_subscribe_cov_ack(
        receive(encode_error(5, ConfirmedService::subscribe_cov, error_class::object,
                             error_code::unknown_object))
            .apdu);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "bacnet.error.object.unknown_object");
    const SubscribeCovRequest unconfirmed{1, kBv7, false, std::nullopt};
    EXPECT_EQ(
        decode_subscribe_cov_request(receive(encode_subscribe_cov(1, unconfirmed).value()).apdu)
            .value(),
        unconfirmed);
}

CovNotification ai1_notification() {
    return {18,
            {ObjectType::device, 1234},
            kAi1,
            240,
            {{{PropertyId::present_value, {}}, {Value{21.5F}}, std::nullopt},
             {{PropertyId::status_flags, {}},
              {Value{BitString{{false, true, false, false}}}},
              std::nullopt}}};
}

TEST(BacnetCov, UnconfirmedNotificationMatchesCrossCheckedBytes) {
    const CovNotification n = ai1_notification();
    EXPECT_EQ(unicast(encode_unconfirmed_cov_notification(n)),
              hex(vectors::unconfirmed_cov_notification));
    const Received r = receive(vectors::unconfirmed_cov_notification);
    auto decoded = decode_cov_notification(r.apdu);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, n);
    EXPECT_EQ(to_text(decoded->values[1].values), "0100");  // fault
}

TEST(BacnetCov, ConfirmedNotificationWithIndexAndPriorityRoundTrips) {
    CovNotification n = ai1_notification();
    n.values.push_back({{PropertyId::priority_array, 8}, {Value{Null{}}}, 8});
    const Received r = receive(encode_confirmed_cov_notification(42, n).value());
    EXPECT_EQ(r.apdu.type, PduType::confirmed_request);
    EXPECT_EQ(r.apdu.invoke_id, 42);
    EXPECT_EQ(decode_cov_notification(r.apdu).value(), n);
    // The gateway acknowledges a confirmed notification with a SimpleACK.
    EXPECT_EQ(encode_simple_ack(42, ConfirmedService::confirmed_cov_notification), hex("20 2a 01"));

    CovNotification empty_value = n;
    empty_value.values[0].values.clear();
    EXPECT_FALSE(encode_unconfirmed_cov_notification(empty_value));
    CovNotification bad_priority = n;
    bad_priority.values[2].priority = 0;
    EXPECT_FALSE(encode_confirmed_cov_notification(1, bad_priority));
    EXPECT_FALSE(decode_cov_notification(receive(hex("10 08")).apdu));
}

}  // namespace
}  // namespace lintel::bacnet
