// Unit tests of register <-> value conversion: every type, byte and word order, scale/offset,
// and the checks on writes.
#include "codec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

namespace lintel::modbus {
namespace {

using Regs = std::vector<std::uint16_t>;

PointConfig make(ValueType type, Order byte_order = Order::big, Order word_order = Order::big) {
    PointConfig p;
    p.name = "p";
    p.table = Table::holding_register;
    p.type = type;
    p.byte_order = byte_order;
    p.word_order = word_order;
    if (type == ValueType::string) p.length = 3;
    p.writable = true;
    return p;
}

sdk::Value decode(const PointConfig& p, const Regs& regs) {
    auto v = decode_registers(p, regs);
    EXPECT_TRUE(v) << (v ? "" : v.error().message);
    return v ? *v : sdk::Value(std::string("<error>"));
}

std::int64_t as_int(const sdk::Value& v) {
    EXPECT_TRUE(std::holds_alternative<std::int64_t>(v)) << "index " << v.index();
    return std::holds_alternative<std::int64_t>(v) ? std::get<std::int64_t>(v) : -1;
}

double as_double(const sdk::Value& v) {
    EXPECT_TRUE(std::holds_alternative<double>(v)) << "index " << v.index();
    return std::holds_alternative<double>(v) ? std::get<double>(v) : NAN;
}

// ---- decoding: byte and word order on a 32-bit value 0x12345678 ----

struct OrderCase {
    Order byte_order;
    Order word_order;
    Regs regs;  // how a device with that order sends 0x12345678
};

class ModbusDecodeOrder : public ::testing::TestWithParam<OrderCase> {};

TEST_P(ModbusDecodeOrder, Uint32) {
    const auto& c = GetParam();
    EXPECT_EQ(as_int(decode(make(ValueType::uint32, c.byte_order, c.word_order), c.regs)),
              0x12345678);
}

TEST_P(ModbusDecodeOrder, Int32) {
    const auto& c = GetParam();
    EXPECT_EQ(as_int(decode(make(ValueType::int32, c.byte_order, c.word_order), c.regs)),
              0x12345678);
}

TEST_P(ModbusDecodeOrder, Float32) {
    const auto& c = GetParam();
    // 0x12345678 as an IEEE float
    const float expected = std::bit_cast<float>(std::uint32_t{0x12345678});
    EXPECT_EQ(as_double(decode(make(ValueType::float32, c.byte_order, c.word_order), c.regs)),
              static_cast<double>(expected));
}

TEST_P(ModbusDecodeOrder, EncodeIsTheReverse) {
    const auto& c = GetParam();
    auto regs = encode_registers(make(ValueType::uint32, c.byte_order, c.word_order),
                                 sdk::Value(std::int64_t{0x12345678}));
    ASSERT_TRUE(regs);
    EXPECT_EQ(*regs, c.regs);
}

INSTANTIATE_TEST_SUITE_P(AllOrders, ModbusDecodeOrder,
                         ::testing::Values(OrderCase{Order::big, Order::big, {0x1234, 0x5678}},
                                           OrderCase{Order::big, Order::little, {0x5678, 0x1234}},
                                           OrderCase{Order::little, Order::big, {0x3412, 0x7856}},
                                           OrderCase{
                                               Order::little, Order::little, {0x7856, 0x3412}}));

// ---- decoding: each type ----

TEST(ModbusDecode, SixteenBitTypes) {
    EXPECT_EQ(as_int(decode(make(ValueType::uint16), {0xFFFE})), 65534);
    EXPECT_EQ(as_int(decode(make(ValueType::int16), {0xFFFE})), -2);
    EXPECT_EQ(as_int(decode(make(ValueType::uint16, Order::little), {0x3412})), 0x1234);
    EXPECT_EQ(as_int(decode(make(ValueType::int16, Order::little), {0x0080})), -32768);
}

TEST(ModbusDecode, ThirtyTwoBitExtremes) {
    EXPECT_EQ(as_int(decode(make(ValueType::uint32), {0xFFFF, 0xFFFF})), 4294967295);
    EXPECT_EQ(as_int(decode(make(ValueType::int32), {0xFFFF, 0xFFFF})), -1);
    EXPECT_EQ(as_int(decode(make(ValueType::int32), {0x8000, 0x0000})), INT32_MIN);
}

TEST(ModbusDecode, SixtyFourBitTypes) {
    const Regs regs{0x0102, 0x0304, 0x0506, 0x0708};
    EXPECT_EQ(as_int(decode(make(ValueType::int64), regs)), 0x0102030405060708);
    EXPECT_EQ(as_int(decode(make(ValueType::uint64), regs)), 0x0102030405060708);
    EXPECT_EQ(as_int(decode(make(ValueType::int64, Order::big, Order::little), regs)),
              0x0708050603040102);
    EXPECT_EQ(as_int(decode(make(ValueType::int64, Order::little, Order::little), regs)),
              0x0807060504030201);
    EXPECT_EQ(as_int(decode(make(ValueType::int64), {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})), -1);
    // uint64 above INT64_MAX does not fit an int64 value: it becomes a double.
    EXPECT_EQ(as_double(decode(make(ValueType::uint64), {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF})),
              18446744073709551615.0);
    EXPECT_EQ(as_int(decode(make(ValueType::uint64), {0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF})), INT64_MAX);
}

TEST(ModbusDecode, Floats) {
    // 230.5f = 0x43668000
    EXPECT_EQ(as_double(decode(make(ValueType::float32), {0x4366, 0x8000})), 230.5);
    EXPECT_EQ(
        as_double(decode(make(ValueType::float32, Order::big, Order::little), {0x8000, 0x4366})),
        230.5);
    // -1.5 = 0xBFF8000000000000
    EXPECT_EQ(as_double(decode(make(ValueType::float64), {0xBFF8, 0, 0, 0})), -1.5);
    EXPECT_EQ(as_double(decode(make(ValueType::float64, Order::little, Order::little),
                               {0, 0, 0, 0xF8BF})),
              -1.5);
}

TEST(ModbusDecode, NonFiniteFloatsAreErrors) {
    for (const Regs& r : {Regs{0x7FC0, 0}, Regs{0x7F80, 0}, Regs{0xFF80, 0}}) {
        auto v = decode_registers(make(ValueType::float32), r);
        ASSERT_FALSE(v);
        EXPECT_EQ(v.error().code, "modbus.non_finite");
        EXPECT_EQ(v.error().message, "point \"p\" holds a NaN or infinite float32");
    }
    EXPECT_FALSE(decode_registers(make(ValueType::float64), Regs{0x7FF0, 0, 0, 0}));
}

TEST(ModbusDecode, BoolOnARegisterIsNonZero) {
    EXPECT_EQ(decode(make(ValueType::boolean), {0}), sdk::Value(false));
    EXPECT_EQ(decode(make(ValueType::boolean), {1}), sdk::Value(true));
    EXPECT_EQ(decode(make(ValueType::boolean), {0x8000}), sdk::Value(true));
    EXPECT_EQ(decode_bit(true), sdk::Value(true));
}

TEST(ModbusDecode, Strings) {
    EXPECT_EQ(decode(make(ValueType::string), {0x4845, 0x4C4C, 0x4F00}),
              sdk::Value(std::string("HELLO")));
    EXPECT_EQ(decode(make(ValueType::string, Order::little), {0x4548, 0x4C4C, 0x004F}),
              sdk::Value(std::string("HELLO")));
    EXPECT_EQ(decode(make(ValueType::string), {0x4142, 0x2020, 0x2000}),
              sdk::Value(std::string("AB")));
    EXPECT_EQ(decode(make(ValueType::string), {0x2041, 0x0042, 0x0000}),
              sdk::Value(std::string(" A?B")));  // inner NUL is not printable
    EXPECT_EQ(decode(make(ValueType::string), {0, 0, 0}), sdk::Value(std::string()));
    EXPECT_EQ(decode(make(ValueType::string), {0xC3A9, 0x4100, 0}), sdk::Value(std::string("??A")));
}

TEST(ModbusDecode, ScaleAndOffsetGiveDoubles) {
    PointConfig p = make(ValueType::int16);
    p.scale = 0.1;
    p.offset = 5;
    EXPECT_DOUBLE_EQ(as_double(decode(p, {0xFF9C})), -5.0);  // -100 * 0.1 + 5
    p.type = ValueType::uint32;
    p.scale = 0.01;
    p.offset = 0;
    EXPECT_DOUBLE_EQ(as_double(decode(p, {0x0001, 0x86A0})), 1000.0);  // 100000 * 0.01
    p.type = ValueType::float32;
    p.scale = 2;
    p.offset = -1;
    EXPECT_DOUBLE_EQ(as_double(decode(p, {0x4366, 0x8000})), 460.0);
    p.type = ValueType::uint16;
    p.scale = 1;
    p.offset = 0.5;
    EXPECT_DOUBLE_EQ(as_double(decode(p, {10})), 10.5);
}

TEST(ModbusDecode, WrongRegisterCountIsAnError) {
    auto v = decode_registers(make(ValueType::float32), Regs{1});
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().message, "point \"p\" needs 2 registers, got 1");
}

TEST(ModbusDecode, KindsAndZeros) {
    PointConfig p = make(ValueType::int32);
    EXPECT_EQ(value_kind(p), sdk::ValueKind::integer);
    EXPECT_EQ(zero_value(p), sdk::Value(std::int64_t{0}));
    p.scale = 0.5;
    EXPECT_EQ(value_kind(p), sdk::ValueKind::real);
    EXPECT_EQ(zero_value(p), sdk::Value(0.0));
    EXPECT_EQ(value_kind(make(ValueType::float32)), sdk::ValueKind::real);
    EXPECT_EQ(value_kind(make(ValueType::boolean)), sdk::ValueKind::boolean);
    EXPECT_EQ(zero_value(make(ValueType::boolean)), sdk::Value(false));
    EXPECT_EQ(value_kind(make(ValueType::string)), sdk::ValueKind::string);
    EXPECT_EQ(zero_value(make(ValueType::string)), sdk::Value(std::string()));
}

// ---- round trips through encode and decode, every type and order ----

class ModbusRoundTrip
    : public ::testing::TestWithParam<std::tuple<ValueType, Order, Order, sdk::Value>> {};

TEST_P(ModbusRoundTrip, EncodeThenDecodeGivesTheValue) {
    const auto& [type, byte_order, word_order, value] = GetParam();
    PointConfig p = make(type, byte_order, word_order);
    auto regs = encode_registers(p, value);
    ASSERT_TRUE(regs) << regs.error().message;
    ASSERT_EQ(regs->size(), p.width());
    EXPECT_EQ(decode(p, *regs), value);
}

INSTANTIATE_TEST_SUITE_P(EveryType, ModbusRoundTrip,
                         ::testing::Combine(::testing::Values(ValueType::int16),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(sdk::Value(std::int64_t{-32768}),
                                                              sdk::Value(std::int64_t{32767}),
                                                              sdk::Value(std::int64_t{-1}))));
INSTANTIATE_TEST_SUITE_P(Unsigned16, ModbusRoundTrip,
                         ::testing::Combine(::testing::Values(ValueType::uint16),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(sdk::Value(std::int64_t{0}),
                                                              sdk::Value(std::int64_t{65535}))));
INSTANTIATE_TEST_SUITE_P(ThirtyTwo, ModbusRoundTrip,
                         ::testing::Combine(::testing::Values(ValueType::int32, ValueType::uint32),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(Order::big, Order::little),
                                            ::testing::Values(sdk::Value(std::int64_t{0}),
                                                              sdk::Value(std::int64_t{2147483647}),
                                                              sdk::Value(std::int64_t{
                                                                  0x01020304}))));
INSTANTIATE_TEST_SUITE_P(
    SixtyFour, ModbusRoundTrip,
    ::testing::Combine(::testing::Values(ValueType::int64, ValueType::uint64),
                       ::testing::Values(Order::big, Order::little),
                       ::testing::Values(Order::big, Order::little),
                       ::testing::Values(sdk::Value(std::int64_t{0}),
                                         sdk::Value(std::numeric_limits<std::int64_t>::max()),
                                         sdk::Value(std::int64_t{0x0102030405060708}))));
INSTANTIATE_TEST_SUITE_P(
    Floats, ModbusRoundTrip,
    ::testing::Combine(::testing::Values(ValueType::float32, ValueType::float64),
                       ::testing::Values(Order::big, Order::little),
                       ::testing::Values(Order::big, Order::little),
                       ::testing::Values(sdk::Value(230.5), sdk::Value(-0.25), sdk::Value(0.0))));
INSTANTIATE_TEST_SUITE_P(
    BoolAndString, ModbusRoundTrip,
    ::testing::Values(std::make_tuple(ValueType::boolean, Order::big, Order::big, sdk::Value(true)),
                      std::make_tuple(ValueType::boolean, Order::little, Order::big,
                                      sdk::Value(false)),
                      std::make_tuple(ValueType::string, Order::big, Order::big,
                                      sdk::Value(std::string("ABCDE"))),
                      std::make_tuple(ValueType::string, Order::little, Order::big,
                                      sdk::Value(std::string("ABCDEF")))));

// ---- write encoding and checks ----

Error encode_error(const PointConfig& p, const sdk::Value& v) {
    auto regs = encode_registers(p, v);
    EXPECT_FALSE(regs);
    return regs ? Error{} : regs.error();
}

TEST(ModbusEncode, NegativeIntegersUseTwosComplement) {
    EXPECT_EQ(*encode_registers(make(ValueType::int16), sdk::Value(std::int64_t{-2})),
              (Regs{0xFFFE}));
    EXPECT_EQ(*encode_registers(make(ValueType::int32), sdk::Value(std::int64_t{-2})),
              (Regs{0xFFFF, 0xFFFE}));
}

TEST(ModbusEncode, IntegerRangesPerType) {
    const struct {
        ValueType type;
        std::int64_t bad;
    } cases[] = {{ValueType::int16, 32768},      {ValueType::int16, -32769},
                 {ValueType::uint16, 65536},     {ValueType::uint16, -1},
                 {ValueType::int32, 2147483648}, {ValueType::uint32, 4294967296},
                 {ValueType::uint32, -1},        {ValueType::uint64, -1}};
    for (const auto& c : cases) {
        const Error e = encode_error(make(c.type), sdk::Value(c.bad));
        EXPECT_EQ(e.code, "modbus.out_of_range");
        EXPECT_EQ(e.message, "value " + std::to_string(c.bad) + " does not fit " +
                                 std::string(to_string(c.type)));
    }
    EXPECT_TRUE(encode_registers(make(ValueType::int64),
                                 sdk::Value(std::numeric_limits<std::int64_t>::min())));
}

TEST(ModbusEncode, DoublesAreRoundedForIntegerTypes) {
    EXPECT_EQ(*encode_registers(make(ValueType::int16), sdk::Value(12.5)), (Regs{13}));
    EXPECT_EQ(*encode_registers(make(ValueType::int16), sdk::Value(-12.5)), (Regs{0xFFF3}));  // -13
    EXPECT_EQ(*encode_registers(make(ValueType::uint16), sdk::Value(65535.4)), (Regs{65535}));
    const Error e = encode_error(make(ValueType::uint16), sdk::Value(65535.5));
    EXPECT_EQ(e.message, "value 65535.5 is 65535.5 raw, outside the range of uint16");
    EXPECT_EQ(encode_error(make(ValueType::uint64), sdk::Value(18446744073709551616.0)).code,
              "modbus.out_of_range");
    EXPECT_EQ(encode_error(make(ValueType::int64), sdk::Value(9223372036854775808.0)).code,
              "modbus.out_of_range");
}

TEST(ModbusEncode, ScaleAndOffsetAreRemoved) {
    PointConfig p = make(ValueType::int16);
    p.scale = 0.1;
    EXPECT_EQ(*encode_registers(p, sdk::Value(21.5)), (Regs{215}));
    EXPECT_EQ(*encode_registers(p, sdk::Value(std::int64_t{-3})), (Regs{0xFFE2}));  // -30
    p.offset = -40;
    EXPECT_EQ(*encode_registers(p, sdk::Value(0.0)), (Regs{400}));
    EXPECT_EQ(encode_error(p, sdk::Value(4000.0)).message,
              "value 4000 is 40400 raw, outside the range of int16");
}

TEST(ModbusEncode, MinAndMaxInEngineeringUnits) {
    PointConfig p = make(ValueType::int16);
    p.scale = 0.1;
    p.min = 5;
    p.max = 30;
    EXPECT_TRUE(encode_registers(p, sdk::Value(5.0)));
    EXPECT_TRUE(encode_registers(p, sdk::Value(std::int64_t{30})));
    EXPECT_EQ(encode_error(p, sdk::Value(4.9)).message, "value 4.9 is below min 5");
    EXPECT_EQ(encode_error(p, sdk::Value(std::int64_t{31})).message, "value 31 is above max 30");
}

TEST(ModbusEncode, Float32Range) {
    EXPECT_EQ(*encode_registers(make(ValueType::float32), sdk::Value(230.5)),
              (Regs{0x4366, 0x8000}));
    EXPECT_EQ(*encode_registers(make(ValueType::float32), sdk::Value(std::int64_t{2})),
              (Regs{0x4000, 0x0000}));
    const Error too_big = encode_error(make(ValueType::float32), sdk::Value(1e39));
    EXPECT_EQ(too_big.code, "modbus.out_of_range");
    EXPECT_TRUE(too_big.message.ends_with(" does not fit float32")) << too_big.message;
    EXPECT_EQ(encode_error(make(ValueType::float64), sdk::Value(NAN)).message,
              "value is not a finite number");
}

TEST(ModbusEncode, KindMismatches) {
    EXPECT_EQ(encode_error(make(ValueType::int16), sdk::Value(true)).message,
              "point \"p\" (int16) needs a number");
    EXPECT_EQ(encode_error(make(ValueType::float32), sdk::Value(std::string("1"))).code,
              "modbus.type_mismatch");
    EXPECT_EQ(encode_error(make(ValueType::boolean), sdk::Value(2.0)).message,
              "point \"p\" needs true or false");
    EXPECT_EQ(*encode_registers(make(ValueType::boolean), sdk::Value(std::int64_t{1})), (Regs{1}));
    EXPECT_EQ(encode_error(make(ValueType::string), sdk::Value(std::int64_t{1})).message,
              "point \"p\" needs a string");
}

TEST(ModbusEncode, StringsArePaddedAndBounded) {
    EXPECT_EQ(*encode_registers(make(ValueType::string), sdk::Value(std::string("ABC"))),
              (Regs{0x4142, 0x4300, 0x0000}));
    EXPECT_EQ(encode_error(make(ValueType::string), sdk::Value(std::string("ABCDEFG"))).message,
              "string of 7 bytes does not fit 3 registers (6 bytes)");
}

TEST(ModbusWriteRequest, PicksTheFunctionCode) {
    PointConfig coil = make(ValueType::boolean);
    coil.table = Table::coil;
    coil.address = 4;
    auto r = write_request(coil, sdk::Value(true));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->function, FunctionCode::write_single_coil);
    EXPECT_EQ(r->address, 4);
    EXPECT_EQ(r->bits, (std::vector<bool>{true}));
    EXPECT_EQ(write_request(coil, sdk::Value(1.0)).error().code, "modbus.type_mismatch");

    r = write_request(make(ValueType::uint16), sdk::Value(std::int64_t{7}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->function, FunctionCode::write_single_register);
    EXPECT_EQ(r->registers, (Regs{7}));

    r = write_request(make(ValueType::boolean), sdk::Value(true));  // bool on a holding register
    ASSERT_TRUE(r);
    EXPECT_EQ(r->function, FunctionCode::write_single_register);

    r = write_request(make(ValueType::float32), sdk::Value(1.0));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->function, FunctionCode::write_multiple_registers);
    EXPECT_EQ(r->registers, (Regs{0x3F80, 0}));
}

TEST(ModbusWriteRequest, RefusesReadOnlyPoints) {
    PointConfig p = make(ValueType::uint16);
    p.writable = false;
    auto r = write_request(p, sdk::Value(std::int64_t{1}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "modbus.not_writable");
    EXPECT_EQ(r.error().message, "point \"p\" is not writable");
}

}  // namespace
}  // namespace lintel::modbus
