// Modbus RTU framing: unit id + PDU + CRC16, request encoding, incremental response framing and
// line timing. Pure functions over bytes (the PDU codec is frame.hpp's), unit- and fuzz-tested.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "frame.hpp"
#include "lintel/error.hpp"

namespace lintel::modbus {

inline constexpr std::size_t kMaxRtuAduSize = 256;  // unit(1) + PDU(253) + CRC(2)
inline constexpr std::uint8_t kBroadcastUnit = 0;

// Modbus CRC16 (polynomial 0xA001 reflected, initial value 0xFFFF); sent low byte first.
std::uint16_t crc16(std::span<const std::uint8_t> bytes);

// Whole RTU ADU for `request` to `unit_id`.
Expected<std::vector<std::uint8_t>> encode_rtu_request(std::uint8_t unit_id,
                                                       const Request& request);

// What the bytes received so far after sending `request` to `unit_id` amount to.
struct RtuScan {
    enum class Status { need_more, complete, bad_crc, malformed };
    Status status = Status::need_more;
    std::size_t size = 0;  // complete and bad_crc: bytes of the frame
    std::string problem;   // bad_crc and malformed: for logs
};
RtuScan scan_rtu_response(std::uint8_t unit_id, const Request& request,
                          std::span<const std::uint8_t> bytes);

// Decodes a complete RTU response frame. Errors: "modbus.crc" (CRC mismatch), "modbus.malformed",
// "modbus.exception.<name>", as decode_response.
Expected<Response> decode_rtu_response(std::uint8_t unit_id, const Request& request,
                                       std::span<const std::uint8_t> frame);

// Serial character format, for timing.
struct CharFormat {
    unsigned baud = 9600;
    unsigned data_bits = 8;
    bool parity = false;
    unsigned stop_bits = 1;
    unsigned bits() const { return 1 + data_bits + (parity ? 1U : 0U) + stop_bits; }
};

// Time the line needs to carry `chars` characters.
std::chrono::microseconds transmit_time(const CharFormat& format, std::size_t chars);
// Minimum silence between frames: 3.5 character times, fixed 1750 us above 19200 baud (the
// Modbus over serial line specification, 2.5.1.1).
std::chrono::microseconds inter_frame_silence(const CharFormat& format);

}  // namespace lintel::modbus
