// WriteProperty: the prioritised write the gateway sends (NULL at a priority relinquishes it),
// its decoder for tests and simulators, and the SimpleACK check.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "apdu.hpp"
#include "lintel/error.hpp"
#include "read_property.hpp"
#include "value.hpp"

namespace lintel::bacnet {

inline constexpr std::uint8_t kMinPriority = 1;   // manual life safety
inline constexpr std::uint8_t kMaxPriority = 16;  // the lowest; 8 = manual operator

struct WritePropertyRequest {
    ObjectId object;
    PropertyRef ref;
    Values values;                         // usually one; Null relinquishes `priority`
    std::optional<std::uint8_t> priority;  // 1..16, for commandable properties
    bool operator==(const WritePropertyRequest&) const = default;
};

// A priority parameter (context tag `tag`, optional), shared with COV notifications:
// check_priority for encoders (bacnet.invalid_request), read_priority for decoders.
Expected<void> check_priority(std::optional<std::uint8_t> priority, std::string_view field);
Expected<std::optional<std::uint8_t>> read_priority(Reader& r, std::uint8_t tag);

// Whole APDU. Errors for no value, a priority outside 1..16, ids out of range.
Expected<std::vector<std::uint8_t>> encode_write_property(std::uint8_t invoke_id,
                                                          const WritePropertyRequest& request);
Expected<WritePropertyRequest> decode_write_property_request(const Apdu& apdu);
// The answer: a SimpleACK, or the device's Error/Reject/Abort as remote_error.
Expected<void> decode_write_property_ack(const Apdu& apdu);

}  // namespace lintel::bacnet
