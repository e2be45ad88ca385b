// Unit tests of the BACnet encoding primitives: tag headers (extended numbers and lengths,
// opening/closing), every application type both ways, character sets, nesting limits.
#include "tags.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "vectors.hpp"

namespace lintel::bacnet {
namespace {

using test::hex;

Bytes encode(const Value& v) {
    Bytes out;
    put_value(out, v);
    return out;
}

Expected<Value> decode(const Bytes& bytes) {
    Reader r(bytes, "test");
    auto v = read_value(r);
    if (v && !r.empty()) return r.fail("trailing bytes");
    return v;
}

void expect_round_trip(const Value& v, const std::string& wire) {
    SCOPED_TRACE(to_text(v));
    const Bytes bytes = encode(v);
    EXPECT_EQ(bytes, hex(wire));
    auto back = decode(bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, v);
}

// ---- tag headers ----

TEST(BacnetTags, ShortTagHeaders) {
    Bytes out;
    put_tag(out, 3, TagClass::context, 4);
    put_tag(out, 4, TagClass::application, 0);
    put_opening(out, 3);
    put_closing(out, 3);
    EXPECT_EQ(out, hex("3c 40 3e 3f"));
}

TEST(BacnetTags, ExtendedTagNumbers) {
    Bytes out;
    put_tag(out, 15, TagClass::context, 1);
    put_tag(out, 254, TagClass::context, 0);
    put_opening(out, 20);
    put_closing(out, 20);
    EXPECT_EQ(out, hex("f9 0f f8 fe fe 14 ff 14"));

    const Bytes wire = hex("f9 0f 07 fe 14 ff 14");
    Reader r(wire, "test");
    auto t = r.tag();
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_TRUE(t->is_context(15));
    EXPECT_EQ(t->length, 1U);
    ASSERT_TRUE(r.bytes(1, "content"));
    EXPECT_TRUE(r.next_is_opening(20));
    auto inner = r.enclosed(20, "list");
    ASSERT_TRUE(inner) << inner.error().message;
    EXPECT_TRUE(inner->empty());
    EXPECT_TRUE(r.empty());
}

TEST(BacnetTags, ExtendedLengthForms) {
    const struct {
        std::uint32_t length;
        std::string header;
    } cases[] = {{4, "6c"},
                 {5, "6d 05"},
                 {253, "6d fd"},
                 {254, "6d fe 00 fe"},
                 {65535, "6d fe ff ff"},
                 {65536, "6d ff 00 01 00 00"}};
    for (const auto& c : cases) {
        SCOPED_TRACE(c.length);
        Bytes out;
        put_tag(out, 6, TagClass::context, c.length);
        EXPECT_EQ(out, hex(c.header));
        out.resize(out.size() + c.length, 0xAB);
        Reader r(out, "test");
        auto t = r.tag();
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_EQ(t->length, c.length);
        EXPECT_EQ(r.left(), c.length);
    }
}

TEST(BacnetTags, LengthBeyondInputNamesTagOffsetAndBytesLeft) {
    const Bytes wire = hex("00 00 1d 09 01 02 03 04");
    Reader r(wire, "APDU", 10);
    ASSERT_TRUE(r.bytes(2, "header"));
    auto t = r.tag();
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, "bacnet.malformed");
    EXPECT_EQ(t.error().message,
              "APDU: context tag 1 length 9 exceeds the 4 bytes left at offset 12");
}

TEST(BacnetTags, ReservedAndInvalidHeadersAreRefused) {
    const struct {
        std::string wire;
        std::string message;
    } cases[] = {
        {"f8 ff", "extended tag number 255 is reserved"},
        {"d0", "application tag 13 is reserved"},
        {"46 00", "application tag 4 (REAL) has length code 6"},
        {"12", "BOOLEAN value 2 is not 0 or 1"},
        {"f8", "extended tag number is missing"},
        {"2d", "extended length is missing"},
        {"2d fe 01", "extended length needs 2 bytes but only 1 remain"},
        {"2d ff 00 00 00", "extended length needs 4 bytes"},
        {"2d ff ff ff ff ff", "length 4294967295 exceeds"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.wire);
        const Bytes wire = hex(c.wire);
        Reader r(wire, "test");
        auto t = r.tag();
        ASSERT_FALSE(t);
        EXPECT_NE(t.error().message.find(c.message), std::string::npos) << t.error().message;
        EXPECT_NE(t.error().message.find("at offset 0"), std::string::npos) << t.error().message;
    }
}

TEST(BacnetTags, EnclosedChecksMatchingClosingTags) {
    {
        const Bytes wire = hex("3e 1e 21 05 2f 3f");
        Reader r(wire, "test");
        auto inner = r.enclosed(3, "value");
        ASSERT_FALSE(inner);
        EXPECT_NE(inner.error().message.find("closing tag 2 does not match opening tag 1"),
                  std::string::npos)
            << inner.error().message;
    }
    {
        const Bytes wire = hex("3e 21 05");
        Reader r(wire, "test");
        auto inner = r.enclosed(3, "value");
        ASSERT_FALSE(inner);
        EXPECT_NE(inner.error().message.find("opening tag 3 has no closing tag at offset 0"),
                  std::string::npos)
            << inner.error().message;
    }
    {
        const Bytes wire = hex("3e 1e 21 05 1f 44 41 ac 00 00 3f 09");
        Reader r(wire, "test", 100);
        auto inner = r.enclosed(3, "value");
        ASSERT_TRUE(inner) << inner.error().message;
        EXPECT_EQ(inner->offset(), 101U);
        EXPECT_EQ(inner->left(), 9U);
        EXPECT_EQ(r.offset(), 111U);
    }
}

TEST(BacnetTags, NestingIsCappedWithoutRecursingOnInput) {
    Bytes ok;
    for (int i = 0; i < kMaxNesting; ++i) put_opening(ok, 1);
    for (int i = 0; i < kMaxNesting; ++i) put_closing(ok, 1);
    EXPECT_TRUE(decode(ok));
    Reader r1(ok, "test");
    EXPECT_TRUE(r1.enclosed(1, "deep"));

    Bytes deep;
    for (int i = 0; i < 100000; ++i) put_opening(deep, 1);
    for (int i = 0; i < 100000; ++i) put_closing(deep, 1);
    auto v = decode(deep);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("nests deeper than 16 levels at offset 16"), std::string::npos)
        << v.error().message;
    Reader r2(deep, "test");
    EXPECT_FALSE(r2.enclosed(1, "deep"));
    Reader r3(deep, "test");
    EXPECT_FALSE(r3.skip_element());
}

// ---- application values ----

TEST(BacnetTags, NullBooleanRoundTrip) {
    expect_round_trip(Value{Null{}}, "00");
    expect_round_trip(Value{false}, "10");
    expect_round_trip(Value{true}, "11");
}

TEST(BacnetTags, UnsignedUsesFewestBytes) {
    expect_round_trip(Value{std::uint64_t{0}}, "21 00");
    expect_round_trip(Value{std::uint64_t{255}}, "21 ff");
    expect_round_trip(Value{std::uint64_t{256}}, "22 01 00");
    expect_round_trip(Value{std::uint64_t{1476}}, "22 05 c4");
    expect_round_trip(Value{std::uint64_t{0x1000000}}, "24 01 00 00 00");
    expect_round_trip(Value{std::uint64_t{0x100000000}}, "25 05 01 00 00 00 00");
    expect_round_trip(Value{std::numeric_limits<std::uint64_t>::max()},
                      "25 08 ff ff ff ff ff ff ff ff");
}

TEST(BacnetTags, SignedUsesFewestTwosComplementBytes) {
    expect_round_trip(Value{std::int64_t{0}}, "31 00");
    expect_round_trip(Value{std::int64_t{-1}}, "31 ff");
    expect_round_trip(Value{std::int64_t{127}}, "31 7f");
    expect_round_trip(Value{std::int64_t{128}}, "32 00 80");
    expect_round_trip(Value{std::int64_t{-128}}, "31 80");
    expect_round_trip(Value{std::int64_t{-129}}, "32 ff 7f");
    expect_round_trip(Value{std::int64_t{-8388608}}, "33 80 00 00");
    expect_round_trip(Value{std::numeric_limits<std::int64_t>::min()},
                      "35 08 80 00 00 00 00 00 00 00");
    expect_round_trip(Value{std::numeric_limits<std::int64_t>::max()},
                      "35 08 7f ff ff ff ff ff ff ff");
}

TEST(BacnetTags, RealAndDouble) {
    expect_round_trip(Value{21.5F}, "44 41 ac 00 00");
    expect_round_trip(Value{-0.25F}, "44 be 80 00 00");
    expect_round_trip(Value{1.0}, "55 08 3f f0 00 00 00 00 00 00");
}

TEST(BacnetTags, OctetAndCharacterStrings) {
    expect_round_trip(Value{OctetString{}}, "60");
    expect_round_trip(Value{OctetString{{1, 2, 3}}}, "63 01 02 03");
    expect_round_trip(Value{std::string()}, "71 00");
    expect_round_trip(Value{std::string("AI 1")}, "75 05 00 41 49 20 31");
    expect_round_trip(Value{std::string("Temp \xC2\xB0"
                                        "C")},
                      "75 09 00 54 65 6d 70 20 c2 b0 43");
    const std::string long_text(300, 'x');
    const Bytes bytes = encode(Value{long_text});
    EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 5), hex("75 fe 01 2d 00"));
    EXPECT_EQ(decode(bytes).value(), Value{long_text});
}

TEST(BacnetTags, CharacterSetsConvertToUtf8) {
    const struct {
        std::string wire;
        std::string text;
    } cases[] = {
        {"73 05 b0 43",
         "\xC2\xB0"
         "C"},  // ISO 8859-1
        {"73 00 b0 43",
         "\xC2\xB0"
         "C"},                                         // not UTF-8 under set 0: read as ISO 8859-1
        {"75 05 04 00 41 00 b0", "A\xC2\xB0"},         // UCS-2
        {"75 05 03 00 01 f6 00", "\xF0\x9F\x98\x80"},  // UCS-4, U+1F600
        {"73 04 d8 00", "\xEF\xBF\xBD"},               // a lone surrogate becomes U+FFFD
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.wire);
        auto v = decode(hex(c.wire));
        ASSERT_TRUE(v) << v.error().message;
        EXPECT_EQ(*v, Value{c.text});
    }
}

TEST(BacnetTags, UnsupportedAndBrokenCharacterSets) {
    auto dbcs = decode(hex("73 01 41 42"));
    ASSERT_FALSE(dbcs);
    EXPECT_EQ(dbcs.error().code, "bacnet.unsupported");
    EXPECT_NE(dbcs.error().message.find("character set 1 (IBM/Microsoft DBCS) is not supported"),
              std::string::npos);
    auto jis = decode(hex("73 02 41 42"));
    ASSERT_FALSE(jis);
    EXPECT_EQ(jis.error().code, "bacnet.unsupported");
    auto unknown = decode(hex("72 09 41"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, "bacnet.malformed");
    EXPECT_NE(unknown.error().message.find("unknown character set 9"), std::string::npos);
    auto odd = decode(hex("74 04 00 41 00"));
    ASSERT_FALSE(odd);
    EXPECT_NE(odd.error().message.find("not a multiple of 2"), std::string::npos);
    EXPECT_FALSE(decode(hex("70")));  // no character set byte
}

TEST(BacnetTags, BitStrings) {
    expect_round_trip(Value{BitString{}}, "81 00");
    expect_round_trip(Value{BitString{{false, true, false, false}}}, "82 04 40");
    expect_round_trip(
        Value{BitString{{true, false, false, false, false, false, false, false, true}}},
        "83 07 80 80");
    EXPECT_FALSE(decode(hex("82 08 00")));  // more than 7 unused bits
    EXPECT_FALSE(decode(hex("81 01")));     // unused bits without data
    EXPECT_FALSE(decode(hex("80")));        // no unused-bits byte
}

TEST(BacnetTags, EnumeratedDateTimeObjectId) {
    expect_round_trip(Value{Enumerated{0}}, "91 00");
    expect_round_trip(Value{Enumerated{70000}}, "93 01 11 70");
    expect_round_trip(Value{Date{124, 3, 1, 5}}, "a4 7c 03 01 05");
    expect_round_trip(Value{Date{}}, "a4 ff ff ff ff");
    expect_round_trip(Value{Time{12, 30, 5, 25}}, "b4 0c 1e 05 19");
    expect_round_trip(Value{ObjectId{ObjectType::analog_input, 1}}, "c4 00 00 00 01");
    expect_round_trip(Value{ObjectId{static_cast<ObjectType>(1023), kMaxInstance}},
                      "c4 ff ff ff ff");
    EXPECT_FALSE(decode(hex("95 01 00 00 00 00")));  // ENUMERATED wider than 32 bits
    EXPECT_FALSE(decode(hex("c3 00 00 01")));        // object id of 3 bytes
    EXPECT_FALSE(decode(hex("20")));                 // Unsigned without content
    EXPECT_FALSE(decode(hex("01 00")));              // NULL with content
}

TEST(BacnetTags, ContextAndConstructedValues) {
    expect_round_trip(Value{ContextValue{3, {0x0a, 0x0b}}}, "3a 0a 0b");
    expect_round_trip(Value{ContextValue{20, {}}}, "f8 14");
    Constructed date_time{0, {Value{Date{124, 1, 2, 3}}, Value{Time{4, 5, 6, 7}}}};
    expect_round_trip(Value{date_time}, "0e a4 7c 01 02 03 b4 04 05 06 07 0f");
    Constructed outer{2, {Value{date_time}, Value{Null{}}}};
    expect_round_trip(Value{outer}, "2e 0e a4 7c 01 02 03 b4 04 05 06 07 0f 00 2f");
    auto stray = decode(hex("3f"));
    ASSERT_FALSE(stray);
    EXPECT_NE(stray.error().message.find("unexpected closing tag 3"), std::string::npos);
    auto mismatch = decode(hex("3e 00 4f"));
    ASSERT_FALSE(mismatch);
    EXPECT_NE(mismatch.error().message.find("closing tag 4 does not match opening tag 3"),
              std::string::npos);
    auto open = decode(hex("3e 00"));
    ASSERT_FALSE(open);
    EXPECT_NE(open.error().message.find("opening tag 3 has no closing tag at offset 0"),
              std::string::npos);
}

TEST(BacnetTags, ContextParameterReaders) {
    const Bytes wire = hex("09 12 1c 00 00 00 01 29 01 3a 01 2c");
    Reader r(wire, "SubscribeCOV");
    EXPECT_EQ(read_context_unsigned32(r, 0, "process").value(), 18U);
    EXPECT_EQ(read_context_object_id(r, 1, "object").value(),
              (ObjectId{ObjectType::analog_input, 1}));
    EXPECT_EQ(read_optional_context_unsigned(r, 9, "absent").value(), std::nullopt);
    EXPECT_TRUE(read_context_boolean(r, 2, "flag").value());
    EXPECT_EQ(read_optional_context_unsigned32(r, 3, "lifetime").value(), 300U);
    EXPECT_TRUE(r.expect_end());
    auto missing = read_context_unsigned(r, 4, "priority");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "SubscribeCOV: priority (context tag 4) is missing at offset 12");

    const Bytes wrong = hex("19 12");
    Reader w(wrong, "RP");
    auto bad = read_context_unsigned(w, 0, "object identifier");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "RP: object identifier must be context tag 0, found context tag 1 at offset 0");
    const Bytes wide = hex("0d 05 01 02 03 04 05");
    Reader wr(wide, "COV");
    EXPECT_FALSE(read_context_unsigned32(wr, 0, "process"));
    const Bytes flag = hex("29 02");
    Reader fr(flag, "COV");
    EXPECT_FALSE(read_context_boolean(fr, 2, "flag"));
}

TEST(BacnetTags, CheckValueRefusesWhatCannotBeEncoded) {
    EXPECT_TRUE(check_value(Value{21.5F}, "test"));
    auto id = check_value(Value{ObjectId{static_cast<ObjectType>(1024), 0}}, "test");
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, "bacnet.invalid_request");
    EXPECT_FALSE(check_value(Value{ObjectId{ObjectType::device, kMaxInstance + 1}}, "test"));
    EXPECT_FALSE(check_value(Value{ContextValue{255, {}}}, "test"));
    Value deep{Null{}};
    for (int i = 0; i <= kMaxNesting; ++i) deep = Value{Constructed{1, {deep}}};
    EXPECT_FALSE(check_value(deep, "test"));
}

}  // namespace
}  // namespace lintel::bacnet
