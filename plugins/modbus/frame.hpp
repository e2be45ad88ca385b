// Modbus TCP framing: MBAP header + PDU encoding of requests and strict decoding of responses.
// Pure functions over bytes; nothing here touches a socket, so every rule is unit- and fuzz-tested.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::modbus {

inline constexpr std::size_t kMbapHeaderSize = 7;  // tid(2) protocol(2) length(2) unit(1)
inline constexpr std::size_t kMaxAduSize = 260;    // Modbus TCP: 7 + 253-byte PDU
inline constexpr std::size_t kMaxPduSize = kMaxAduSize - kMbapHeaderSize;  // fc + 252 data bytes
inline constexpr std::uint16_t kMaxReadRegisters = 125;
inline constexpr std::uint16_t kMaxReadBits = 2000;
inline constexpr std::uint16_t kMaxWriteRegisters = 123;
inline constexpr std::uint16_t kMaxWriteBits = 1968;

enum class FunctionCode : std::uint8_t {
    read_coils = 1,
    read_discrete_inputs = 2,
    read_holding_registers = 3,
    read_input_registers = 4,
    write_single_coil = 5,
    write_single_register = 6,
    write_multiple_coils = 15,
    write_multiple_registers = 16,
};

// One request as the device wants to send it; the encoder checks that it is well formed.
struct Request {
    FunctionCode function = FunctionCode::read_holding_registers;
    std::uint16_t address = 0;
    std::uint16_t count = 0;               // reads: quantity; ignored for writes (derived)
    std::vector<std::uint16_t> registers;  // FC 6 (exactly one) and FC 16
    std::vector<bool> bits;                // FC 5 (exactly one) and FC 15
};

// What a successful response carries: the data of a read, nothing for a write (its echo is
// checked against the request during decoding).
struct Response {
    std::vector<std::uint16_t> registers;
    std::vector<bool> bits;
};

struct MbapHeader {
    std::uint16_t transaction_id = 0;
    std::uint16_t protocol_id = 0;
    std::uint16_t length = 0;  // bytes following the length field: unit id + PDU
    std::uint8_t unit_id = 0;
};

// Readable name of a Modbus exception code ("illegal data address"); "unknown exception" otherwise.
std::string_view exception_name(std::uint8_t code);
std::string_view function_name(FunctionCode fc);

// Whole ADU (MBAP + PDU) for `request`; errors for quantities the protocol does not allow.
Expected<std::vector<std::uint8_t>> encode_request(std::uint16_t transaction_id,
                                                   std::uint8_t unit_id, const Request& request);

// The PDU (function code + data) of `request`, shared by Modbus TCP and RTU framing.
Expected<std::vector<std::uint8_t>> encode_pdu(const Request& request);

// Decodes a response PDU to `request`; the same errors as decode_response.
Expected<Response> decode_pdu(const Request& request, std::span<const std::uint8_t> pdu);

// For a receive buffer holding the start of a stream: the size of the first complete ADU, nullopt
// when more bytes are needed, or an error when the header cannot start a Modbus TCP frame (the
// stream is then out of sync and the connection must be dropped).
Expected<std::optional<std::size_t>> complete_frame_size(std::span<const std::uint8_t> buffer);

// Header of an ADU of at least kMbapHeaderSize bytes (no validation).
MbapHeader parse_header(std::span<const std::uint8_t> adu);

// Decodes the response `adu` to `request` sent with (transaction_id, unit_id). Every field is
// checked. Errors: "modbus.malformed" (what is wrong in the message) or, for an exception response,
// "modbus.exception.<name>" such as modbus.exception.illegal_data_address.
Expected<Response> decode_response(std::uint16_t transaction_id, std::uint8_t unit_id,
                                   const Request& request, std::span<const std::uint8_t> adu);

// True for the errors decode_response returns for an exception response.
bool is_exception(const Error& error);

}  // namespace lintel::modbus
