// Unit tests of Modbus RTU framing: CRC16, request encoding, incremental response framing, decoding
// through the shared PDU codec, and line timing.
#include "rtu_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "backoff.hpp"
#include "requests.hpp"

namespace lintel::modbus {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Status = RtuScan::Status;
using namespace std::chrono_literals;

// `body` followed by its CRC, low byte first.
Bytes with_crc(Bytes body) {
    const std::uint16_t crc = crc16(body);
    body.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    body.push_back(static_cast<std::uint8_t>(crc >> 8));
    return body;
}

TEST(ModbusRtuCrc, KnownVectors) {
    // Read 1 holding register at 0 from unit 1: the textbook frame 01 03 00 00 00 01 84 0A.
    EXPECT_EQ(crc16(Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01}), 0x0A84);
    // Read 10 holding registers: 01 03 00 00 00 0A C5 CD.
    EXPECT_EQ(crc16(Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}), 0xCDC5);
    EXPECT_EQ(crc16(Bytes{}), 0xFFFF);
    // A frame followed by its own CRC (low byte first) has a CRC of 0.
    EXPECT_EQ(crc16(with_crc(Bytes{0x11, 0x05, 0x00, 0xAC, 0xFF, 0x00})), 0);
}

TEST(ModbusRtuEncode, UnitPduAndCrcLowByteFirst) {
    auto adu = encode_rtu_request(1, read(FunctionCode::read_holding_registers, 0, 1));
    ASSERT_TRUE(adu) << adu.error().message;
    EXPECT_EQ(*adu, (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0A}));
    // The PDU rules are frame.cpp's: an impossible quantity is refused here too.
    auto bad = encode_rtu_request(1, read(FunctionCode::read_holding_registers, 0, 126));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "modbus.invalid_request");
}

TEST(ModbusRtuScan, ReadAnswerNeedsMoreUntilComplete) {
    const Request r = read(FunctionCode::read_holding_registers, 0, 2);
    const Bytes frame = with_crc(Bytes{0x07, 0x03, 0x04, 0x00, 0x2A, 0x01, 0x00});
    for (std::size_t n = 0; n < frame.size(); ++n) {
        EXPECT_EQ(scan_rtu_response(7, r, std::span(frame).first(n)).status, Status::need_more)
            << n;
    }
    const RtuScan done = scan_rtu_response(7, r, frame);
    EXPECT_EQ(done.status, Status::complete);
    EXPECT_EQ(done.size, frame.size());
    auto response = decode_rtu_response(7, r, frame);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->registers, (std::vector<std::uint16_t>{42, 256}));
}

TEST(ModbusRtuScan, BadCrcIsReportedWithTheFrameSize) {
    const Request r = read(FunctionCode::read_input_registers, 0, 1);
    Bytes frame = with_crc(Bytes{0x01, 0x04, 0x02, 0x12, 0x34});
    frame.back() ^= 0x01;
    const RtuScan scan = scan_rtu_response(1, r, frame);
    EXPECT_EQ(scan.status, Status::bad_crc);
    EXPECT_EQ(scan.size, frame.size());
    auto decoded = decode_rtu_response(1, r, frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, "modbus.crc");
}

TEST(ModbusRtuScan, ExceptionAnswerIsFiveBytes) {
    const Request r = read(FunctionCode::read_holding_registers, 100, 10);
    const Bytes frame = with_crc(Bytes{0x02, 0x83, 0x02});
    EXPECT_EQ(frame.size(), 5U);
    EXPECT_EQ(scan_rtu_response(2, r, std::span(frame).first(4)).status, Status::need_more);
    EXPECT_EQ(scan_rtu_response(2, r, frame).status, Status::complete);
    auto decoded = decode_rtu_response(2, r, frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, "modbus.exception.illegal_data_address");
}

TEST(ModbusRtuScan, WriteEchoIsEightBytes) {
    Request w;
    w.function = FunctionCode::write_single_register;
    w.address = 10;
    w.registers = {215};
    const Bytes frame = with_crc(Bytes{0x03, 0x06, 0x00, 0x0A, 0x00, 0xD7});
    EXPECT_EQ(scan_rtu_response(3, w, std::span(frame).first(7)).status, Status::need_more);
    EXPECT_EQ(scan_rtu_response(3, w, frame).status, Status::complete);
    EXPECT_TRUE(decode_rtu_response(3, w, frame));
    // The same echo carrying another value is a malformed answer, found by the shared PDU decoder.
    const Bytes other = with_crc(Bytes{0x03, 0x06, 0x00, 0x0A, 0x00, 0xD8});
    auto decoded = decode_rtu_response(3, w, other);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, "modbus.malformed");
}

TEST(ModbusRtuScan, WrongUnitOrFunctionIsMalformedAtOnce) {
    const Request r = read(FunctionCode::read_coils, 0, 8);
    EXPECT_EQ(scan_rtu_response(1, r, Bytes{0x02}).status, Status::malformed);
    const RtuScan fc = scan_rtu_response(1, r, Bytes{0x01, 0x03});
    EXPECT_EQ(fc.status, Status::malformed);
    EXPECT_NE(fc.problem.find("function code 3"), std::string::npos) << fc.problem;
}

TEST(ModbusRtuScan, WrongByteCountFramesByWhatWasSentAndFailsDecoding) {
    const Request r = read(FunctionCode::read_holding_registers, 0, 2);
    const Bytes frame = with_crc(Bytes{0x01, 0x03, 0x02, 0x00, 0x01});  // 1 register, not 2
    EXPECT_EQ(scan_rtu_response(1, r, frame).status, Status::complete);
    auto decoded = decode_rtu_response(1, r, frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, "modbus.malformed");
}

TEST(ModbusRtuScan, TrailingBytesAreMalformed) {
    const Request r = read(FunctionCode::read_holding_registers, 0, 1);
    Bytes frame = with_crc(Bytes{0x01, 0x03, 0x02, 0x00, 0x01});
    frame.push_back(0);
    auto decoded = decode_rtu_response(1, r, frame);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, "modbus.malformed");
}

TEST(ModbusRtuTiming, SilenceIsThreeAndAHalfCharactersUpTo19200) {
    const CharFormat n81{9600, 8, false, 1};  // 10 bits a character
    EXPECT_EQ(transmit_time(n81, 1), 1041us);
    EXPECT_EQ(inter_frame_silence(n81), 3646us);  // 3.5 * 10 / 9600 s, rounded up
    const CharFormat e81{19200, 8, true, 1};      // 11 bits
    EXPECT_EQ(inter_frame_silence(e81), 2006us);
    EXPECT_EQ(inter_frame_silence(CharFormat{38400, 8, false, 1}), 1750us);
    EXPECT_EQ(inter_frame_silence(CharFormat{115200, 8, false, 2}), 1750us);
}

TEST(ModbusBackoff, DoublesUpToTheMaximumAndResets) {
    Backoff b(5000ms);
    EXPECT_EQ(b.next(), 1000ms);
    EXPECT_EQ(b.next(), 2000ms);
    EXPECT_EQ(b.next(), 4000ms);
    EXPECT_EQ(b.next(), 5000ms);
    EXPECT_EQ(b.next(), 5000ms);
    b.reset();
    EXPECT_EQ(b.next(), 1000ms);
    Backoff short_max(300ms);
    EXPECT_EQ(short_max.next(), 300ms);
    EXPECT_EQ(short_max.next(), 300ms);
}

}  // namespace
}  // namespace lintel::modbus
