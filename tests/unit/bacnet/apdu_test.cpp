// Unit tests of APDU headers: the confirmed-request header lintel sends, the PDU types it
// receives, segmentation refused, and a device's Error/Reject/Abort turned into readable errors.
#include "apdu.hpp"

#include <gtest/gtest.h>

#include <string>

#include "datagram.hpp"
#include "error_text.hpp"
#include "vectors.hpp"

namespace lintel::bacnet {
namespace {

using test::hex;
namespace vectors = test::vectors;

Apdu decoded(const std::string& wire) {
    auto a = decode_apdu(hex(wire));
    EXPECT_TRUE(a) << a.error().message;
    return a.value_or(Apdu{});
}

TEST(BacnetApdu, ConfirmedRequestHeader) {
    auto bytes = encode_confirmed_request(7, ConfirmedService::read_property, hex("0c"));
    ASSERT_TRUE(bytes);
    // No segmented response accepted, max segments unspecified, max APDU 1476 (code 5).
    EXPECT_EQ(*bytes, hex("00 05 07 0c 0c"));
    const Apdu a = decoded("00 05 07 0c 0c");
    EXPECT_EQ(a.type, PduType::confirmed_request);
    EXPECT_FALSE(a.segmented_response_accepted);
    EXPECT_EQ(a.max_apdu, 1476);
    EXPECT_EQ(a.max_segments, 0);
    EXPECT_EQ(a.invoke_id, 7);
    EXPECT_EQ(a.service, 12);
    EXPECT_EQ(a.data.size(), 1U);
    EXPECT_EQ(a.data_offset, 4U);

    const Apdu other = decoded("02 63 01 0c");  // a peer that accepts 64 segments of 480
    EXPECT_TRUE(other.segmented_response_accepted);
    EXPECT_EQ(other.max_segments, 64);
    EXPECT_EQ(other.max_apdu, 480);

    EXPECT_FALSE(encode_confirmed_request(1, ConfirmedService::read_property, Bytes(1473, 0)));
    EXPECT_TRUE(encode_confirmed_request(1, ConfirmedService::read_property, Bytes(1472, 0)));
}

TEST(BacnetApdu, OtherPduTypes) {
    EXPECT_EQ(encode_unconfirmed_request(UnconfirmedService::who_is, {}).value(), hex("10 08"));
    EXPECT_EQ(encode_simple_ack(3, ConfirmedService::write_property), hex("20 03 0f"));
    EXPECT_EQ(encode_complex_ack(3, ConfirmedService::read_property, hex("0c")).value(),
              hex("30 03 0c 0c"));
    EXPECT_EQ(encode_reject(4, reject_reason::unrecognized_service), hex("60 04 09"));
    EXPECT_EQ(encode_abort(2, abort_reason::segmentation_not_supported, true), hex("71 02 04"));
    EXPECT_EQ(encode_abort(2, abort_reason::other, false), hex("70 02 00"));

    const Apdu simple = decoded("20 03 0f");
    EXPECT_EQ(simple.type, PduType::simple_ack);
    EXPECT_TRUE(expect_simple_ack(simple, ConfirmedService::write_property));
    const Apdu reject = decoded("60 04 09");
    EXPECT_EQ(reject.reason, 9);
    const Apdu abort = decoded("71 02 04");
    EXPECT_TRUE(abort.from_server);
    EXPECT_FALSE(decode_apdu(hex("20 03 0f 00")));  // SimpleACK has no parameters
    EXPECT_FALSE(decode_apdu(hex("60 04")));        // Reject without reason
    EXPECT_FALSE(decode_apdu(hex("71 02 04 00")));
}

TEST(BacnetApdu, SegmentationIsRefusedClearly) {
    auto seg_ack = decode_apdu(hex("38 05 00 04 0c 0c"), 6);
    ASSERT_FALSE(seg_ack);
    EXPECT_EQ(seg_ack.error().code, "bacnet.unsupported");
    EXPECT_EQ(seg_ack.error().message,
              "APDU: segmented ComplexACK (invoke id 5): lintel never accepts segmented answers; "
              "ask for fewer properties per request at offset 6");
    auto seg_req = decode_apdu(hex("08 05 01 00 04 0c"));
    ASSERT_FALSE(seg_req);
    EXPECT_EQ(seg_req.error().code, "bacnet.unsupported");
    auto segment_ack = decode_apdu(hex("40 01 00 04"));
    ASSERT_FALSE(segment_ack);
    EXPECT_EQ(segment_ack.error().code, "bacnet.unsupported");
    EXPECT_FALSE(decode_apdu(hex("80 00")));        // PDU type 8 is reserved
    EXPECT_FALSE(decode_apdu(hex("00 0f 01 0c")));  // max APDU code 15 is reserved
    EXPECT_FALSE(decode_apdu({}));
}

TEST(BacnetApdu, ErrorPduToText) {
    auto d = decode_datagram(hex(vectors::error_pdu));  // cross-checked
    ASSERT_TRUE(d) << d.error().message;
    const Apdu& a = *d->apdu;
    EXPECT_EQ(a.type, PduType::error);
    EXPECT_EQ(a.error_class, error_class::property);
    EXPECT_EQ(a.error_code, error_code::unknown_property);
    EXPECT_EQ(encode_error(1, ConfirmedService::read_property, 2, 32), hex("50 01 0c 91 02 91 20"));
    const Error e = remote_error(a);
    EXPECT_EQ(e.code, "bacnet.error.property.unknown_property");
    EXPECT_EQ(e.message,
              "device answered ReadProperty (invoke id 1) with Error property / unknown-property: "
              "the object has no such property; check the point map");
    EXPECT_TRUE(is_remote_error(e));

    const struct {
        std::uint32_t cls;
        std::uint32_t code;
        std::string error_code;
    } cases[] = {
        {error_class::object, error_code::unknown_object, "bacnet.error.object.unknown_object"},
        {error_class::property, error_code::write_access_denied,
         "bacnet.error.property.write_access_denied"},
        {error_class::property, error_code::value_out_of_range,
         "bacnet.error.property.value_out_of_range"},
        {error_class::services, error_code::service_request_denied,
         "bacnet.error.services.service_request_denied"},
        {error_class::resources, error_code::no_space_to_write_property,
         "bacnet.error.resources.no_space_to_write_property"},
        {error_class::device, error_code::device_busy, "bacnet.error.device.device_busy"},
        {error_class::communication, error_code::unknown_route,
         "bacnet.error.communication.unknown_route"},
        {200, 700, "bacnet.error.proprietary_error_class_200.proprietary_error_code_700"},
        {9, 33, "bacnet.error.error_class_9.error_code_33"},
    };
    for (const auto& c : cases) {
        auto pdu = decode_apdu(encode_error(9, ConfirmedService::write_property, c.cls, c.code));
        ASSERT_TRUE(pdu) << pdu.error().message;
        EXPECT_EQ(remote_error(*pdu).code, c.error_code);
        auto ack = expect_simple_ack(*pdu, ConfirmedService::write_property);
        ASSERT_FALSE(ack);
        EXPECT_EQ(ack.error().code, c.error_code);
    }
    // Errors of services with extended parameters wrap class and code in tag 0.
    const Apdu wrapped = decoded("50 01 10 0e 91 02 91 25 0f 19 02");
    EXPECT_EQ(wrapped.error_code, error_code::value_out_of_range);
    EXPECT_FALSE(decode_apdu(hex("50 01 0c 91 02")));        // no error code
    EXPECT_FALSE(decode_apdu(hex("50 01 0c 21 02 91 20")));  // class must be ENUMERATED
}

TEST(BacnetApdu, RejectAndAbortToText) {
    const Error reject = remote_error(decoded("60 04 09"));
    EXPECT_EQ(reject.code, "bacnet.reject.unrecognized_service");
    EXPECT_EQ(reject.message, "device rejected the request (invoke id 4): unrecognized-service");
    EXPECT_EQ(remote_error(decoded("60 04 06")).code, "bacnet.reject.parameter_out_of_range");
    EXPECT_EQ(remote_error(decoded("60 04 50")).code, "bacnet.reject.proprietary_reject_reason_80");

    auto d = decode_datagram(hex(vectors::abort_pdu));  // cross-checked
    ASSERT_TRUE(d);
    const Error abort = remote_error(*d->apdu);
    EXPECT_EQ(abort.code, "bacnet.abort.segmentation_not_supported");
    EXPECT_EQ(abort.message,
              "device aborted the transaction (invoke id 2): segmentation-not-supported; the "
              "answer would need segmentation, which lintel does not accept; read fewer "
              "properties per request");
    EXPECT_EQ(remote_error(decoded("71 02 01")).code, "bacnet.abort.buffer_overflow");
    EXPECT_EQ(remote_error(decoded("70 02 0b")).message,
              "client aborted the transaction (invoke id 2): apdu-too-long; the request or its "
              "answer does not fit the device's buffers; read fewer properties per request");
    EXPECT_EQ(abort_reason_name(20), "abort-reason-20");
    EXPECT_EQ(reject_reason_name(10), "invalid-data-encoding");
}

TEST(BacnetApdu, ExpectedAnswerChecks) {
    const Apdu simple = decoded("20 03 0f");
    auto wrong_service = expect_simple_ack(simple, ConfirmedService::subscribe_cov);
    ASSERT_FALSE(wrong_service);
    EXPECT_EQ(wrong_service.error().code, "bacnet.malformed");
    EXPECT_EQ(wrong_service.error().message,
              "APDU: expected a SimpleACK to SubscribeCOV, got one to WriteProperty");
    auto wrong_type = expect_complex_ack(simple, ConfirmedService::write_property, "WP-ACK");
    ASSERT_FALSE(wrong_type);
    EXPECT_EQ(wrong_type.error().message,
              "APDU: expected a ComplexACK to WriteProperty, got SimpleACK");
    EXPECT_FALSE(is_remote_error(wrong_type.error()));
    const Apdu unconfirmed = decoded("10 08");
    EXPECT_FALSE(expect_confirmed(unconfirmed, ConfirmedService::read_property, "RP"));
    EXPECT_TRUE(expect_unconfirmed(unconfirmed, UnconfirmedService::who_is, "Who-Is"));
    EXPECT_EQ(remote_error(unconfirmed).code, "bacnet.malformed");
}

TEST(BacnetApdu, ServiceNames) {
    EXPECT_EQ(confirmed_service_name(14), "ReadPropertyMultiple");
    EXPECT_EQ(confirmed_service_name(99), "service 99");
    EXPECT_EQ(unconfirmed_service_name(8), "Who-Is");
    EXPECT_EQ(pdu_type_name(PduType::abort), "Abort");
    EXPECT_EQ(error_class_name(2), "property");
    EXPECT_EQ(error_code_name(32), "unknown-property");
    EXPECT_EQ(error_code_name(300), "proprietary-error-code-300");
}

}  // namespace
}  // namespace lintel::bacnet
