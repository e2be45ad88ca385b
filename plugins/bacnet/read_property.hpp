// ReadProperty and ReadPropertyMultiple: requests the gateway sends, the ComplexACKs it decodes
// (per-property errors of a ReadPropertyMultiple kept per property), and the reverse directions
// for tests and simulators; plus the encoded size of a request, for batching within an APDU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "apdu.hpp"
#include "lintel/error.hpp"
#include "value.hpp"

namespace lintel::bacnet {

struct PropertyRef {
    PropertyId property = PropertyId::present_value;
    std::optional<std::uint32_t> array_index;  // an element of an array property; 0 = its size
    bool operator==(const PropertyRef&) const = default;
};

struct ReadPropertyRequest {
    ObjectId object;
    PropertyRef ref;
    bool operator==(const ReadPropertyRequest&) const = default;
};

struct ReadPropertyAck {
    ObjectId object;
    PropertyRef ref;
    Values values;  // at least one element
};

// ---- ReadProperty ----

// Whole APDUs (Confirmed-Request / ComplexACK header included).
Expected<std::vector<std::uint8_t>> encode_read_property(std::uint8_t invoke_id,
                                                         const ReadPropertyRequest& request);
Expected<std::vector<std::uint8_t>> encode_read_property_ack(std::uint8_t invoke_id,
                                                             const ReadPropertyAck& ack);

Expected<ReadPropertyRequest> decode_read_property_request(const Apdu& apdu);
// The answer to a ReadProperty: the values, or the device's Error/Reject/Abort as remote_error,
// or bacnet.malformed. An empty value list is malformed.
Expected<ReadPropertyAck> decode_read_property_ack(const Apdu& apdu);

// ---- ReadPropertyMultiple ----

struct ReadAccessSpec {
    ObjectId object;
    std::vector<PropertyRef> properties;  // at least one; PropertyId::all/required/optional allowed
    bool operator==(const ReadAccessSpec&) const = default;
};

// A device's refusal of one property inside a ReadPropertyMultiple-ACK.
struct PropertyAccessError {
    std::uint32_t error_class = 0;
    std::uint32_t error_code = 0;
    bool operator==(const PropertyAccessError&) const = default;
};

struct PropertyResult {
    PropertyRef ref;
    // The values; or the device's error for this property; or why lintel could not decode the
    // values the device sent (their framing was sound, so the other results still stand).
    std::variant<Values, PropertyAccessError, Error> result;
};

struct ReadAccessResult {
    ObjectId object;
    std::vector<PropertyResult> results;
};

// The values of one result, or an Error: bacnet.error.<class>.<code> (is_remote_error) for the
// device's error, the decoding error otherwise.
Expected<Values> values_of(const PropertyResult& result);

Expected<std::vector<std::uint8_t>> encode_read_property_multiple(
    std::uint8_t invoke_id, std::span<const ReadAccessSpec> specs);
// Encodes results holding values or PropertyAccessError (an Error alternative is refused).
Expected<std::vector<std::uint8_t>> encode_read_property_multiple_ack(
    std::uint8_t invoke_id, std::span<const ReadAccessResult> results);

Expected<std::vector<ReadAccessSpec>> decode_read_property_multiple_request(const Apdu& apdu);
// The answer to a ReadPropertyMultiple (see ReadPropertyAck for errors of the whole request).
Expected<std::vector<ReadAccessResult>> decode_read_property_multiple_ack(const Apdu& apdu);

// Bytes of the whole Confirmed-Request APDU encode_read_property_multiple makes for `specs`,
// so a caller can add objects and properties while the request stays within the device's max
// APDU (and kMaxApdu). The answer must fit too: leave room for the values.
std::size_t read_property_multiple_size(std::span<const ReadAccessSpec> specs);
// What one more spec adds to that size.
std::size_t read_access_spec_size(const ReadAccessSpec& spec);

}  // namespace lintel::bacnet
