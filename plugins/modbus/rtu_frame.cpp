// Modbus RTU framing (see rtu_frame.hpp).
#include "rtu_frame.hpp"

namespace lintel::modbus {
namespace {

constexpr std::size_t kExceptionFrameSize = 5;  // unit, fc | 0x80, code, CRC(2)
constexpr std::size_t kWriteEchoFrameSize = 8;  // unit, fc, address(2), value/quantity(2), CRC(2)

bool is_read(FunctionCode fc) {
    return fc == FunctionCode::read_coils || fc == FunctionCode::read_discrete_inputs ||
           fc == FunctionCode::read_holding_registers || fc == FunctionCode::read_input_registers;
}

RtuScan malformed(std::string problem) {
    return RtuScan{RtuScan::Status::malformed, 0, std::move(problem)};
}

}  // namespace

std::uint16_t crc16(std::span<const std::uint8_t> bytes) {
    unsigned crc = 0xFFFF;
    for (std::uint8_t b : bytes) {
        crc ^= b;
        for (int i = 0; i < 8; ++i) crc = (crc & 1U) != 0 ? (crc >> 1) ^ 0xA001U : crc >> 1;
    }
    return static_cast<std::uint16_t>(crc);
}

Expected<std::vector<std::uint8_t>> encode_rtu_request(std::uint8_t unit_id,
                                                       const Request& request) {
    auto pdu = encode_pdu(request);
    if (!pdu) return std::unexpected(pdu.error());
    std::vector<std::uint8_t> adu;
    adu.reserve(pdu->size() + 3);
    adu.push_back(unit_id);
    adu.insert(adu.end(), pdu->begin(), pdu->end());
    const std::uint16_t crc = crc16(adu);
    adu.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    adu.push_back(static_cast<std::uint8_t>(crc >> 8));
    return adu;
}

RtuScan scan_rtu_response(std::uint8_t unit_id, const Request& request,
                          std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return RtuScan{};
    if (bytes[0] != unit_id) {
        return malformed("unit id " + std::to_string(bytes[0]) + " does not match the request's " +
                         std::to_string(unit_id));
    }
    if (bytes.size() < 2) return RtuScan{};
    const auto fc = static_cast<std::uint8_t>(request.function);
    std::size_t size = 0;
    if (bytes[1] == (fc | 0x80U)) {
        size = kExceptionFrameSize;
    } else if (bytes[1] != fc) {
        return malformed("function code " + std::to_string(bytes[1]) +
                         " does not match the request's " + std::to_string(fc));
    } else if (is_read(request.function)) {
        // Framed by the byte count the device sent, so a wrong count is reported by the PDU
        // decoder as a mismatch rather than as a timeout waiting for bytes that never come.
        if (bytes.size() < 3) return RtuScan{};
        size = 3U + bytes[2] + 2U;
        if (size > kMaxRtuAduSize) {
            return malformed("byte count " + std::to_string(bytes[2]) + " exceeds an RTU frame");
        }
    } else {
        size = kWriteEchoFrameSize;
    }
    if (bytes.size() < size) return RtuScan{};
    const std::uint16_t want = crc16(bytes.first(size - 2));
    const auto got = static_cast<std::uint16_t>(bytes[size - 2] | (bytes[size - 1] << 8));
    if (want != got) {
        return RtuScan{RtuScan::Status::bad_crc, size,
                       "CRC " + std::to_string(got) + " instead of " + std::to_string(want)};
    }
    return RtuScan{RtuScan::Status::complete, size, {}};
}

Expected<Response> decode_rtu_response(std::uint8_t unit_id, const Request& request,
                                       std::span<const std::uint8_t> frame) {
    const RtuScan scan = scan_rtu_response(unit_id, request, frame);
    switch (scan.status) {
        case RtuScan::Status::need_more:
            return make_error("modbus.malformed", "RTU frame of " + std::to_string(frame.size()) +
                                                      " bytes is cut short");
        case RtuScan::Status::malformed:
            return make_error("modbus.malformed", scan.problem);
        case RtuScan::Status::bad_crc:
            return make_error("modbus.crc", "answer with a bad checksum: " + scan.problem);
        case RtuScan::Status::complete:
            break;
    }
    if (scan.size != frame.size()) {
        return make_error("modbus.malformed",
                          std::to_string(frame.size() - scan.size) + " bytes follow the RTU frame");
    }
    return decode_pdu(request, frame.subspan(1, frame.size() - 3));
}

std::chrono::microseconds transmit_time(const CharFormat& format, std::size_t chars) {
    const unsigned baud = format.baud == 0 ? 1 : format.baud;
    return std::chrono::microseconds(static_cast<std::int64_t>(chars) * format.bits() *
                                     1'000'000LL / baud);
}

std::chrono::microseconds inter_frame_silence(const CharFormat& format) {
    if (format.baud > 19200) return std::chrono::microseconds(1750);
    const unsigned baud = format.baud == 0 ? 1 : format.baud;
    // 3.5 characters, rounded up.
    return std::chrono::microseconds((7LL * format.bits() * 1'000'000LL + 2LL * baud - 1) /
                                     (2LL * baud));
}

}  // namespace lintel::modbus
