// libFuzzer target: the Modbus RTU response framer and decoder on arbitrary bytes, checking that
// they never crash, never read out of bounds, frame consistently as bytes arrive one by one, and
// never accept a frame whose CRC is wrong.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "frame.hpp"
#include "rtu_frame.hpp"

using lintel::modbus::FunctionCode;
using lintel::modbus::Request;
using lintel::modbus::RtuScan;

namespace {

constexpr FunctionCode kFunctions[] = {FunctionCode::read_coils,
                                       FunctionCode::read_discrete_inputs,
                                       FunctionCode::read_holding_registers,
                                       FunctionCode::read_input_registers,
                                       FunctionCode::write_single_coil,
                                       FunctionCode::write_single_register,
                                       FunctionCode::write_multiple_coils,
                                       FunctionCode::write_multiple_registers};

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    // Header bytes pick the request the frame is supposedly answering and the unit asked.
    Request request;
    request.function = kFunctions[data[0] % 8];
    request.address = static_cast<std::uint16_t>((data[1] << 8) | data[2]);
    request.count = static_cast<std::uint16_t>(data[3] % 126 + 1);
    request.registers.assign(data[3] % 3 + 1, static_cast<std::uint16_t>(data[1]));
    request.bits.assign(data[3] % 3 + 1, (data[2] & 1) != 0);
    const std::span<const std::uint8_t> bytes(data + 4, size - 4);
    // Mostly the unit the frame starts with; with the top bit of data[0], another one.
    const std::uint8_t first = bytes.empty() ? 1 : bytes[0];
    const auto unit = static_cast<std::uint8_t>((data[0] & 0x80) != 0 ? first ^ 1U : first);

    // Byte by byte, as a serial line delivers them: once the scan settles it must not change.
    RtuScan settled;
    std::size_t settled_at = 0;
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
        const RtuScan scan = lintel::modbus::scan_rtu_response(unit, request, bytes.first(n));
        if (scan.status == RtuScan::Status::need_more) continue;
        settled = scan;
        settled_at = n;
        break;
    }
    if (settled.status == RtuScan::Status::complete || settled.status == RtuScan::Status::bad_crc) {
        check(settled.size == settled_at);
        check(settled.size <= lintel::modbus::kMaxRtuAduSize && settled.size >= 4);
        const auto frame = bytes.first(settled.size);
        auto response = lintel::modbus::decode_rtu_response(unit, request, frame);
        if (settled.status == RtuScan::Status::bad_crc) {
            check(!response && response.error().code == "modbus.crc");
        } else {
            check(lintel::modbus::crc16(frame) == 0);  // a frame with its own CRC sums to 0
        }
        if (response) {
            check(response->registers.size() <= 125 && response->bits.size() <= 2000);
        }
    }
    // The decoder on the whole input (trailing bytes and short frames included).
    auto whole = lintel::modbus::decode_rtu_response(unit, request, bytes);
    if (whole) check(whole->registers.size() <= 125);
    return 0;
}
