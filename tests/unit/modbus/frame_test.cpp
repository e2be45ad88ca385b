// Unit tests of Modbus TCP framing: request encoding, strict response decoding, stream framing.
#include "frame.hpp"

#include "requests.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace lintel::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;

// An ADU with a correct length field around `pdu`.
Bytes adu(std::uint16_t tid, std::uint8_t unit, const Bytes& pdu) {
    Bytes out{static_cast<std::uint8_t>(tid >> 8),
              static_cast<std::uint8_t>(tid & 0xFF),
              0,
              0,
              static_cast<std::uint8_t>((pdu.size() + 1) >> 8),
              static_cast<std::uint8_t>((pdu.size() + 1) & 0xFF),
              unit};
    out.insert(out.end(), pdu.begin(), pdu.end());
    return out;
}

// ---- encoding ----

TEST(ModbusFrameEncode, ReadRequestsForEachTable) {
    const struct {
        FunctionCode fc;
        std::uint8_t code;
    } cases[] = {{FunctionCode::read_coils, 1},
                 {FunctionCode::read_discrete_inputs, 2},
                 {FunctionCode::read_holding_registers, 3},
                 {FunctionCode::read_input_registers, 4}};
    for (const auto& c : cases) {
        auto bytes = encode_request(0x0102, 7, read(c.fc, 0x1234, 10));
        ASSERT_TRUE(bytes) << bytes.error().message;
        EXPECT_EQ(*bytes, (Bytes{0x01, 0x02, 0, 0, 0, 6, 7, c.code, 0x12, 0x34, 0, 10}));
    }
}

TEST(ModbusFrameEncode, WriteSingleCoilUsesFF00) {
    Request r;
    r.function = FunctionCode::write_single_coil;
    r.address = 3;
    r.bits = {true};
    EXPECT_EQ(*encode_request(1, 1, r), (Bytes{0, 1, 0, 0, 0, 6, 1, 5, 0, 3, 0xFF, 0x00}));
    r.bits = {false};
    EXPECT_EQ(*encode_request(1, 1, r), (Bytes{0, 1, 0, 0, 0, 6, 1, 5, 0, 3, 0x00, 0x00}));
}

TEST(ModbusFrameEncode, WriteSingleRegister) {
    Request r;
    r.function = FunctionCode::write_single_register;
    r.address = 40;
    r.registers = {0xABCD};
    EXPECT_EQ(*encode_request(9, 2, r), (Bytes{0, 9, 0, 0, 0, 6, 2, 6, 0, 40, 0xAB, 0xCD}));
}

TEST(ModbusFrameEncode, WriteMultipleCoilsPacksLsbFirst) {
    Request r;
    r.function = FunctionCode::write_multiple_coils;
    r.address = 19;
    r.bits = {true, false, true, true, false, false, true, true, true, false};  // 0xCD 0x01
    EXPECT_EQ(*encode_request(1, 1, r),
              (Bytes{0, 1, 0, 0, 0, 9, 1, 15, 0, 19, 0, 10, 2, 0xCD, 0x01}));
}

TEST(ModbusFrameEncode, WriteMultipleRegisters) {
    Request r;
    r.function = FunctionCode::write_multiple_registers;
    r.address = 1;
    r.registers = {0x000A, 0x0102};
    EXPECT_EQ(*encode_request(1, 1, r),
              (Bytes{0, 1, 0, 0, 0, 11, 1, 16, 0, 1, 0, 2, 4, 0x00, 0x0A, 0x01, 0x02}));
}

TEST(ModbusFrameEncode, LargestRequestsFitTheAdu) {
    Request r;
    r.function = FunctionCode::write_multiple_registers;
    r.registers.assign(kMaxWriteRegisters, 0);
    auto bytes = encode_request(1, 1, r);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), 259U);  // 7 + fc, address, quantity, byte count + 246 data bytes
    r.function = FunctionCode::write_multiple_coils;
    r.bits.assign(kMaxWriteBits, true);
    ASSERT_TRUE(encode_request(1, 1, r));
    EXPECT_TRUE(encode_request(1, 1, read(FunctionCode::read_coils, 0, 2000)));
    EXPECT_TRUE(encode_request(1, 1, read(FunctionCode::read_input_registers, 65411, 125)));
}

TEST(ModbusFrameEncode, RejectsQuantitiesTheProtocolForbids) {
    auto err = [](const Request& r) {
        auto bytes = encode_request(1, 1, r);
        EXPECT_FALSE(bytes);
        return bytes ? std::string() : bytes.error().code + ": " + bytes.error().message;
    };
    EXPECT_EQ(err(read(FunctionCode::read_holding_registers, 0, 0)),
              "modbus.invalid_request: read quantity 0 is outside 1..125");
    EXPECT_EQ(err(read(FunctionCode::read_holding_registers, 0, 126)),
              "modbus.invalid_request: read quantity 126 is outside 1..125");
    EXPECT_EQ(err(read(FunctionCode::read_coils, 0, 2001)),
              "modbus.invalid_request: read quantity 2001 is outside 1..2000");
    EXPECT_EQ(err(read(FunctionCode::read_input_registers, 65530, 7)),
              "modbus.invalid_request: read at 65530 with quantity 7 runs past address 65535");
    Request r;
    r.function = FunctionCode::write_single_coil;
    r.bits = {true, false};
    EXPECT_EQ(err(r), "modbus.invalid_request: write single coil needs exactly one value");
    r.function = FunctionCode::write_single_register;
    EXPECT_EQ(err(r), "modbus.invalid_request: write single register needs exactly one value");
    r.function = FunctionCode::write_multiple_registers;
    r.registers.assign(124, 0);
    EXPECT_EQ(err(r), "modbus.invalid_request: register write quantity 124 is outside 1..123");
    r.function = FunctionCode::write_multiple_coils;
    r.bits.clear();
    EXPECT_EQ(err(r), "modbus.invalid_request: coil write quantity 0 is outside 1..1968");
    r.function = static_cast<FunctionCode>(23);
    EXPECT_EQ(err(r), "modbus.invalid_request: function code 23 is not supported");
}

// ---- decoding ----

TEST(ModbusFrameDecode, HoldingRegisters) {
    const auto req = read(FunctionCode::read_holding_registers, 0, 2);
    auto r = decode_response(5, 1, req, adu(5, 1, {3, 4, 0x12, 0x34, 0xFF, 0xFE}));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->registers, (std::vector<std::uint16_t>{0x1234, 0xFFFE}));
}

TEST(ModbusFrameDecode, InputRegisters) {
    const auto req = read(FunctionCode::read_input_registers, 100, 1);
    auto r = decode_response(5, 1, req, adu(5, 1, {4, 2, 0x00, 0x2A}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->registers, (std::vector<std::uint16_t>{42}));
}

TEST(ModbusFrameDecode, CoilsAndDiscreteInputsUnpackLsbFirst) {
    for (auto fc : {FunctionCode::read_coils, FunctionCode::read_discrete_inputs}) {
        const auto req = read(fc, 0, 10);
        auto r =
            decode_response(1, 1, req, adu(1, 1, {static_cast<std::uint8_t>(fc), 2, 0xCD, 0x01}));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->bits, (std::vector<bool>{true, false, true, true, false, false, true, true,
                                              true, false}));
    }
}

TEST(ModbusFrameDecode, WriteEchoes) {
    Request coil;
    coil.function = FunctionCode::write_single_coil;
    coil.address = 3;
    coil.bits = {true};
    EXPECT_TRUE(decode_response(1, 1, coil, adu(1, 1, {5, 0, 3, 0xFF, 0})));
    auto bad = decode_response(1, 1, coil, adu(1, 1, {5, 0, 3, 0, 0}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "write response echoes value 0 instead of 65280");

    Request reg;
    reg.function = FunctionCode::write_single_register;
    reg.address = 7;
    reg.registers = {1234};
    EXPECT_TRUE(decode_response(1, 1, reg, adu(1, 1, {6, 0, 7, 0x04, 0xD2})));
    bad = decode_response(1, 1, reg, adu(1, 1, {6, 0, 8, 0x04, 0xD2}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "write response echoes address 8 instead of 7");

    Request multi;
    multi.function = FunctionCode::write_multiple_registers;
    multi.address = 10;
    multi.registers = {1, 2};
    EXPECT_TRUE(decode_response(1, 1, multi, adu(1, 1, {16, 0, 10, 0, 2})));
    bad = decode_response(1, 1, multi, adu(1, 1, {16, 0, 10, 0, 3}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "write response echoes quantity 3 instead of 2");
    bad = decode_response(1, 1, multi, adu(1, 1, {16, 0, 10, 0}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "write response of 4 PDU bytes (expected 5)");

    Request coils;
    coils.function = FunctionCode::write_multiple_coils;
    coils.address = 0;
    coils.bits = {true, true, false};
    EXPECT_TRUE(decode_response(1, 1, coils, adu(1, 1, {15, 0, 0, 0, 3})));
}

TEST(ModbusFrameDecode, EveryExceptionCodeHasAName) {
    const struct {
        std::uint8_t code;
        const char* slug;
        const char* name;
    } cases[] = {
        {1, "illegal_function", "illegal function"},
        {2, "illegal_data_address", "illegal data address"},
        {3, "illegal_data_value", "illegal data value"},
        {4, "server_device_failure", "server device failure"},
        {5, "acknowledge", "acknowledge"},
        {6, "server_device_busy", "server device busy"},
        {8, "memory_parity_error", "memory parity error"},
        {10, "gateway_path_unavailable", "gateway path unavailable"},
        {11, "gateway_target_failed", "gateway target device failed to respond"},
        {99, "unknown", "unknown exception"},
    };
    const auto req = read(FunctionCode::read_holding_registers, 0, 1);
    for (const auto& c : cases) {
        auto r = decode_response(1, 1, req, adu(1, 1, {0x83, c.code}));
        ASSERT_FALSE(r);
        EXPECT_TRUE(is_exception(r.error()));
        EXPECT_EQ(r.error().code, std::string("modbus.exception.") + c.slug);
        EXPECT_EQ(r.error().message,
                  "device answered exception " + std::to_string(c.code) + " (" + c.name + ")");
        EXPECT_EQ(exception_name(c.code), c.name);
    }
}

TEST(ModbusFrameDecode, ExceptionToAnotherFunctionIsMalformed) {
    const auto req = read(FunctionCode::read_holding_registers, 0, 1);
    auto r = decode_response(1, 1, req, adu(1, 1, {0x84, 2}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "modbus.malformed");
    EXPECT_FALSE(is_exception(r.error()));
    EXPECT_EQ(r.error().message, "function code 132 does not match the request's 3");
    r = decode_response(1, 1, req, adu(1, 1, {0x83, 2, 0}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "exception response of 3 PDU bytes (expected 2)");
}

struct MalformedCase {
    const char* what;
    Bytes frame;
    const char* message;
};

TEST(ModbusFrameDecode, MalformedFramesNameWhatIsWrong) {
    const auto req = read(FunctionCode::read_holding_registers, 0, 2);
    Bytes good = adu(5, 1, {3, 4, 0, 1, 0, 2});
    Bytes wrong_protocol = good;
    wrong_protocol[3] = 1;
    Bytes wrong_length = good;
    wrong_length[5] = 9;
    Bytes oversize = adu(5, 1, Bytes(254, 0));
    const MalformedCase cases[] = {
        {"empty", {}, "frame of 0 bytes is shorter than the smallest response (9 bytes)"},
        {"truncated header",
         {0, 5, 0, 0, 0, 6, 1},
         "frame of 7 bytes is shorter than the smallest response (9 bytes)"},
        {"oversize", oversize, "frame of 261 bytes exceeds the Modbus TCP maximum of 260 bytes"},
        {"protocol", wrong_protocol, "protocol id 1 is not 0"},
        {"length", wrong_length, "length field says 9 bytes follow but the frame carries 7"},
        {"tid", adu(6, 1, {3, 4, 0, 1, 0, 2}), "transaction id 6 does not match the request's 5"},
        {"unit", adu(5, 2, {3, 4, 0, 1, 0, 2}), "unit id 2 does not match the request's 1"},
        {"fc", adu(5, 1, {4, 4, 0, 1, 0, 2}), "function code 4 does not match the request's 3"},
        {"byte count", adu(5, 1, {3, 2, 0, 1}),
         "byte count 2 does not match the 2 registers requested (4 bytes)"},
        {"truncated data", adu(5, 1, {3, 4, 0, 1}), "byte count 4 but 2 data bytes in the frame"},
        {"extra data", adu(5, 1, {3, 4, 0, 1, 0, 2, 9}),
         "byte count 4 but 5 data bytes in the frame"},
    };
    for (const auto& c : cases) {
        auto r = decode_response(5, 1, req, c.frame);
        ASSERT_FALSE(r) << c.what;
        EXPECT_EQ(r.error().code, "modbus.malformed") << c.what;
        EXPECT_EQ(r.error().message, c.message) << c.what;
    }
    auto bits =
        decode_response(5, 1, read(FunctionCode::read_coils, 0, 9), adu(5, 1, {1, 1, 0xFF}));
    ASSERT_FALSE(bits);
    EXPECT_EQ(bits.error().message, "byte count 1 does not match the 9 bits requested (2 bytes)");
    EXPECT_TRUE(decode_response(5, 1, req, good));
}

// ---- stream framing ----

TEST(ModbusFrameStream, WaitsForWholeFrame) {
    const Bytes frame = adu(1, 1, {3, 2, 0, 1});
    for (std::size_t n = 0; n < frame.size(); ++n) {
        auto size = complete_frame_size(std::span(frame).first(n));
        ASSERT_TRUE(size) << n;
        EXPECT_FALSE(size->has_value()) << n;
    }
    auto size = complete_frame_size(frame);
    ASSERT_TRUE(size && size->has_value());
    EXPECT_EQ(**size, frame.size());
}

TEST(ModbusFrameStream, FindsFirstOfTwoFrames) {
    Bytes two = adu(1, 1, {3, 2, 0, 1});
    const Bytes second = adu(2, 1, {6, 0, 1, 0, 2});
    two.insert(two.end(), second.begin(), second.end());
    auto size = complete_frame_size(two);
    ASSERT_TRUE(size && size->has_value());
    EXPECT_EQ(**size, 11U);
}

TEST(ModbusFrameStream, RejectsHeadersThatCannotBeModbus) {
    auto size = complete_frame_size(Bytes{0, 1, 0x47, 0x45});  // "GE" of an HTTP request
    ASSERT_FALSE(size);
    EXPECT_EQ(size.error().message, "protocol id 18245 is not 0 (not a Modbus TCP frame)");
    for (int length : {0, 1, 255, 0xFFFF}) {
        size = complete_frame_size(Bytes{0, 1, 0, 0, static_cast<std::uint8_t>(length >> 8),
                                         static_cast<std::uint8_t>(length & 0xFF)});
        ASSERT_FALSE(size) << length;
        EXPECT_EQ(size.error().message,
                  "length field " + std::to_string(length) + " is outside 2..254");
    }
    size = complete_frame_size(Bytes{0, 1, 0, 0, 0, 254});
    ASSERT_TRUE(size);
    EXPECT_FALSE(size->has_value());
}

TEST(ModbusFrame, HeaderAndNames) {
    const MbapHeader h = parse_header(Bytes{0x12, 0x34, 0, 0, 0, 6, 9});
    EXPECT_EQ(h.transaction_id, 0x1234);
    EXPECT_EQ(h.length, 6);
    EXPECT_EQ(h.unit_id, 9);
    EXPECT_EQ(function_name(FunctionCode::write_multiple_registers),
              "write multiple registers (FC 16)");
}

}  // namespace
}  // namespace lintel::modbus
