// Modbus TCP framing: request encoding and strict response decoding (see frame.hpp).
#include "frame.hpp"

#include <array>

namespace lintel::modbus {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

std::unexpected<Error> malformed(std::string message) {
    return make_error("modbus.malformed", std::move(message));
}

bool is_bit_read(FunctionCode fc) {
    return fc == FunctionCode::read_coils || fc == FunctionCode::read_discrete_inputs;
}
bool is_register_read(FunctionCode fc) {
    return fc == FunctionCode::read_holding_registers || fc == FunctionCode::read_input_registers;
}

struct ExceptionInfo {
    std::uint8_t code;
    std::string_view name;
    std::string_view slug;
};

constexpr std::array<ExceptionInfo, 9> kExceptions{{
    {1, "illegal function", "illegal_function"},
    {2, "illegal data address", "illegal_data_address"},
    {3, "illegal data value", "illegal_data_value"},
    {4, "server device failure", "server_device_failure"},
    {5, "acknowledge", "acknowledge"},
    {6, "server device busy", "server_device_busy"},
    {8, "memory parity error", "memory_parity_error"},
    {10, "gateway path unavailable", "gateway_path_unavailable"},
    {11, "gateway target device failed to respond", "gateway_target_failed"},
}};

const ExceptionInfo* find_exception(std::uint8_t code) {
    for (const auto& e : kExceptions) {
        if (e.code == code) return &e;
    }
    return nullptr;
}

// The quantity checks shared by the encoder; address + quantity must stay inside the 64 Ki space.
Expected<void> check_range(std::uint16_t address, std::size_t quantity, std::size_t max,
                           std::string_view what) {
    if (quantity == 0 || quantity > max) {
        return make_error("modbus.invalid_request", std::string(what) + " quantity " +
                                                        std::to_string(quantity) +
                                                        " is outside 1.." + std::to_string(max));
    }
    if (address + quantity > 65536U) {
        return make_error("modbus.invalid_request",
                          std::string(what) + " at " + std::to_string(address) + " with quantity " +
                              std::to_string(quantity) + " runs past address 65535");
    }
    return {};
}

}  // namespace

std::string_view exception_name(std::uint8_t code) {
    const ExceptionInfo* e = find_exception(code);
    return e == nullptr ? std::string_view("unknown exception") : e->name;
}

bool is_exception(const Error& error) { return error.code.starts_with("modbus.exception."); }

std::string_view function_name(FunctionCode fc) {
    switch (fc) {
        case FunctionCode::read_coils:
            return "read coils (FC 1)";
        case FunctionCode::read_discrete_inputs:
            return "read discrete inputs (FC 2)";
        case FunctionCode::read_holding_registers:
            return "read holding registers (FC 3)";
        case FunctionCode::read_input_registers:
            return "read input registers (FC 4)";
        case FunctionCode::write_single_coil:
            return "write single coil (FC 5)";
        case FunctionCode::write_single_register:
            return "write single register (FC 6)";
        case FunctionCode::write_multiple_coils:
            return "write multiple coils (FC 15)";
        case FunctionCode::write_multiple_registers:
            return "write multiple registers (FC 16)";
    }
    return "unknown function";
}

Expected<std::vector<std::uint8_t>> encode_pdu(const Request& request) {
    std::vector<std::uint8_t> pdu;
    pdu.reserve(kMaxPduSize);
    pdu.push_back(static_cast<std::uint8_t>(request.function));
    put16(pdu, request.address);
    switch (request.function) {
        case FunctionCode::read_coils:
        case FunctionCode::read_discrete_inputs:
        case FunctionCode::read_holding_registers:
        case FunctionCode::read_input_registers: {
            const std::size_t max =
                is_bit_read(request.function) ? kMaxReadBits : kMaxReadRegisters;
            if (auto ok = check_range(request.address, request.count, max, "read"); !ok) {
                return std::unexpected(ok.error());
            }
            put16(pdu, request.count);
            break;
        }
        case FunctionCode::write_single_coil:
            if (request.bits.size() != 1) {
                return make_error("modbus.invalid_request",
                                  "write single coil needs exactly one value");
            }
            put16(pdu, request.bits[0] ? 0xFF00 : 0x0000);
            break;
        case FunctionCode::write_single_register:
            if (request.registers.size() != 1) {
                return make_error("modbus.invalid_request",
                                  "write single register needs exactly one value");
            }
            put16(pdu, request.registers[0]);
            break;
        case FunctionCode::write_multiple_coils: {
            const std::size_t n = request.bits.size();
            if (auto ok = check_range(request.address, n, kMaxWriteBits, "coil write"); !ok) {
                return std::unexpected(ok.error());
            }
            put16(pdu, static_cast<std::uint16_t>(n));
            pdu.push_back(static_cast<std::uint8_t>((n + 7) / 8));
            for (std::size_t byte = 0; byte < (n + 7) / 8; ++byte) {
                unsigned packed = 0;
                for (std::size_t bit = 0; bit < 8 && byte * 8 + bit < n; ++bit) {
                    if (request.bits[byte * 8 + bit]) packed |= 1U << bit;
                }
                pdu.push_back(static_cast<std::uint8_t>(packed));
            }
            break;
        }
        case FunctionCode::write_multiple_registers: {
            const std::size_t n = request.registers.size();
            if (auto ok = check_range(request.address, n, kMaxWriteRegisters, "register write");
                !ok) {
                return std::unexpected(ok.error());
            }
            put16(pdu, static_cast<std::uint16_t>(n));
            pdu.push_back(static_cast<std::uint8_t>(n * 2));
            for (std::uint16_t r : request.registers) put16(pdu, r);
            break;
        }
        default:
            return make_error("modbus.invalid_request",
                              "function code " +
                                  std::to_string(static_cast<int>(request.function)) +
                                  " is not supported");
    }
    return pdu;
}

Expected<std::vector<std::uint8_t>> encode_request(std::uint16_t transaction_id,
                                                   std::uint8_t unit_id, const Request& request) {
    auto pdu = encode_pdu(request);
    if (!pdu) return std::unexpected(pdu.error());
    std::vector<std::uint8_t> adu;
    adu.reserve(kMbapHeaderSize + pdu->size());
    put16(adu, transaction_id);
    put16(adu, 0);
    put16(adu, static_cast<std::uint16_t>(pdu->size() + 1));
    adu.push_back(unit_id);
    adu.insert(adu.end(), pdu->begin(), pdu->end());
    return adu;
}

Expected<std::optional<std::size_t>> complete_frame_size(std::span<const std::uint8_t> buffer) {
    // Protocol id and length are checked as soon as they arrive: a stream that is out of sync
    // must not make us wait for (or allocate) a length taken from garbage.
    if (buffer.size() >= 4 && be16(buffer, 2) != 0) {
        return malformed("protocol id " + std::to_string(be16(buffer, 2)) +
                         " is not 0 (not a Modbus TCP frame)");
    }
    if (buffer.size() < 6) return std::optional<std::size_t>{};
    const std::uint16_t length = be16(buffer, 4);
    if (length < 2 || length > kMaxAduSize - 6) {
        return malformed("length field " + std::to_string(length) + " is outside 2.." +
                         std::to_string(kMaxAduSize - 6));
    }
    const std::size_t total = 6U + length;
    if (buffer.size() < total) return std::optional<std::size_t>{};
    return std::optional<std::size_t>{total};
}

MbapHeader parse_header(std::span<const std::uint8_t> adu) {
    return MbapHeader{be16(adu, 0), be16(adu, 2), be16(adu, 4), adu[6]};
}

Expected<Response> decode_response(std::uint16_t transaction_id, std::uint8_t unit_id,
                                   const Request& request, std::span<const std::uint8_t> adu) {
    if (adu.size() < kMbapHeaderSize + 2) {
        return malformed("frame of " + std::to_string(adu.size()) +
                         " bytes is shorter than the smallest response (9 bytes)");
    }
    if (adu.size() > kMaxAduSize) {
        return malformed("frame of " + std::to_string(adu.size()) +
                         " bytes exceeds the Modbus TCP maximum of 260 bytes");
    }
    const MbapHeader header = parse_header(adu);
    if (header.protocol_id != 0) {
        return malformed("protocol id " + std::to_string(header.protocol_id) + " is not 0");
    }
    if (header.length != adu.size() - 6) {
        return malformed("length field says " + std::to_string(header.length) +
                         " bytes follow but the frame carries " + std::to_string(adu.size() - 6));
    }
    if (header.transaction_id != transaction_id) {
        return malformed("transaction id " + std::to_string(header.transaction_id) +
                         " does not match the request's " + std::to_string(transaction_id));
    }
    if (header.unit_id != unit_id) {
        return malformed("unit id " + std::to_string(header.unit_id) +
                         " does not match the request's " + std::to_string(unit_id));
    }
    return decode_pdu(request, adu.subspan(kMbapHeaderSize));
}

Expected<Response> decode_pdu(const Request& request, std::span<const std::uint8_t> pdu) {
    if (pdu.size() < 2) {
        return malformed("PDU of " + std::to_string(pdu.size()) +
                         " bytes is shorter than the smallest response (2 bytes)");
    }
    const auto expected_fc = static_cast<std::uint8_t>(request.function);
    if (pdu[0] == (expected_fc | 0x80U)) {
        if (pdu.size() != 2) {
            return malformed("exception response of " + std::to_string(pdu.size()) +
                             " PDU bytes (expected 2)");
        }
        const ExceptionInfo* e = find_exception(pdu[1]);
        const std::string slug = e == nullptr ? "unknown" : std::string(e->slug);
        return make_error("modbus.exception." + slug,
                          "device answered exception " + std::to_string(pdu[1]) + " (" +
                              std::string(exception_name(pdu[1])) + ")");
    }
    if (pdu[0] != expected_fc) {
        return malformed("function code " + std::to_string(pdu[0]) +
                         " does not match the request's " + std::to_string(expected_fc));
    }

    Response response;
    if (is_bit_read(request.function) || is_register_read(request.function)) {
        const bool bits = is_bit_read(request.function);
        const std::size_t want = bits ? (request.count + 7U) / 8U : request.count * 2U;
        const std::size_t byte_count = pdu[1];
        if (byte_count != want) {
            return malformed("byte count " + std::to_string(byte_count) + " does not match the " +
                             std::to_string(request.count) + (bits ? " bits" : " registers") +
                             " requested (" + std::to_string(want) + " bytes)");
        }
        if (pdu.size() != 2 + byte_count) {
            return malformed("byte count " + std::to_string(byte_count) + " but " +
                             std::to_string(pdu.size() - 2) + " data bytes in the frame");
        }
        const std::span<const std::uint8_t> data = pdu.subspan(2);
        if (bits) {
            response.bits.resize(request.count);
            for (std::size_t i = 0; i < request.count; ++i) {
                response.bits[i] = ((static_cast<unsigned>(data[i / 8]) >> (i % 8)) & 1U) != 0;
            }
        } else {
            response.registers.resize(request.count);
            for (std::size_t i = 0; i < request.count; ++i)
                response.registers[i] = be16(data, i * 2);
        }
        return response;
    }

    // Writes echo address and value (single) or address and quantity (multiple).
    if (pdu.size() != 5) {
        return malformed("write response of " + std::to_string(pdu.size()) +
                         " PDU bytes (expected 5)");
    }
    const std::uint16_t address = be16(pdu, 1);
    const std::uint16_t second = be16(pdu, 3);
    if (address != request.address) {
        return malformed("write response echoes address " + std::to_string(address) +
                         " instead of " + std::to_string(request.address));
    }
    std::uint16_t want = 0;
    switch (request.function) {
        case FunctionCode::write_single_coil:
            want = !request.bits.empty() && request.bits[0] ? 0xFF00 : 0x0000;
            break;
        case FunctionCode::write_single_register:
            want = request.registers.empty() ? 0 : request.registers[0];
            break;
        case FunctionCode::write_multiple_coils:
            want = static_cast<std::uint16_t>(request.bits.size());
            break;
        default:
            want = static_cast<std::uint16_t>(request.registers.size());
            break;
    }
    if (second != want) {
        const bool single = request.function == FunctionCode::write_single_coil ||
                            request.function == FunctionCode::write_single_register;
        return malformed(std::string("write response echoes ") + (single ? "value " : "quantity ") +
                         std::to_string(second) + " instead of " + std::to_string(want));
    }
    return response;
}

}  // namespace lintel::modbus
