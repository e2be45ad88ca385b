// libFuzzer target: the Modbus RTU response framer and decoder on arbitrary bytes, checking that
// they never crash, never read out of bounds, frame consistently as bytes arrive one by one, and
// never accept a frame whose CRC is wrong.
#include <cstddef>
#include <cstdint>
#include <span>

#include "frame.hpp"
#include "fuzz_request.hpp"
#include "rtu_frame.hpp"

using lintel::modbus::Request;
using lintel::modbus::RtuScan;
using lintel::modbus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < lintel::modbus::fuzz::kRequestBytes) return 0;
    const Request request = lintel::modbus::fuzz::request_from(data);
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
