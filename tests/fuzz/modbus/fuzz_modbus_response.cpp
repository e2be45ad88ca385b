// libFuzzer target: the Modbus TCP response decoder and stream framer on arbitrary bytes, checking
// that they never crash, never read out of bounds and never return more data than was requested.
#include <cstddef>
#include <cstdint>
#include <span>

#include "codec.hpp"
#include "frame.hpp"
#include "fuzz_request.hpp"

using lintel::modbus::FunctionCode;
using lintel::modbus::Request;
using lintel::modbus::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < lintel::modbus::fuzz::kRequestBytes) return 0;
    const Request request = lintel::modbus::fuzz::request_from(data);
    const std::span<const std::uint8_t> frame(data + 4, size - 4);
    const std::uint16_t tid = frame.size() >= 2
                                  ? static_cast<std::uint16_t>((frame[0] << 8) | frame[1])
                                  : std::uint16_t{0};
    const std::uint8_t unit = frame.size() >= 7 ? frame[6] : 1;

    auto response = lintel::modbus::decode_response(tid, unit, request, frame);
    if (response) {
        check(response->registers.size() <= 125 && response->bits.size() <= 2000);
        if (request.function == FunctionCode::read_holding_registers ||
            request.function == FunctionCode::read_input_registers) {
            check(response->registers.size() == request.count);
            // Decode what came back as every type the codec knows.
            lintel::modbus::PointConfig p;
            p.name = "fuzz";
            for (int t = 0; t <= static_cast<int>(lintel::modbus::ValueType::string); ++t) {
                p.type = static_cast<lintel::modbus::ValueType>(t);
                p.length = static_cast<std::uint16_t>(response->registers.size());
                p.byte_order =
                    (data[1] & 1) ? lintel::modbus::Order::little : lintel::modbus::Order::big;
                p.word_order =
                    (data[1] & 2) ? lintel::modbus::Order::little : lintel::modbus::Order::big;
                if (p.width() == 0 || p.width() > response->registers.size()) continue;
                auto v = lintel::modbus::decode_registers(
                    p, std::span<const std::uint16_t>(response->registers).first(p.width()));
                (void)v;
            }
        }
    }

    // The stream framer over the same bytes: consume frame after frame until it needs more.
    std::span<const std::uint8_t> stream = frame;
    while (!stream.empty()) {
        auto n = lintel::modbus::complete_frame_size(stream);
        if (!n || !n->has_value()) break;
        check(**n <= lintel::modbus::kMaxAduSize && **n <= stream.size() && **n >= 8);
        stream = stream.subspan(**n);
    }
    return 0;
}
