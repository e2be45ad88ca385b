// BACnet application layer headers (APDU, ASHRAE 135 clause 20.1): the eight PDU types, the
// confirmed-request header lintel sends (no segmentation, 1476-byte APDUs), and turning a
// device's Error, Reject or Abort into an lintel::Error an operator can read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "reader.hpp"

namespace lintel::bacnet {

// The largest APDU lintel sends or accepts: B/IP's 1476. Segmentation is never requested, so a
// whole answer must fit in one APDU of the device's size.
inline constexpr std::size_t kMaxApdu = 1476;

enum class PduType : std::uint8_t {
    confirmed_request = 0,
    unconfirmed_request = 1,
    simple_ack = 2,
    complex_ack = 3,
    segment_ack = 4,
    error = 5,
    reject = 6,
    abort = 7,
};

enum class ConfirmedService : std::uint8_t {
    acknowledge_alarm = 0,
    confirmed_cov_notification = 1,
    confirmed_event_notification = 2,
    subscribe_cov = 5,
    atomic_read_file = 6,
    atomic_write_file = 7,
    read_property = 12,
    read_property_multiple = 14,
    write_property = 15,
    write_property_multiple = 16,
    device_communication_control = 17,
    reinitialize_device = 20,
    read_range = 26,
    subscribe_cov_property = 28,
};

enum class UnconfirmedService : std::uint8_t {
    i_am = 0,
    i_have = 1,
    unconfirmed_cov_notification = 2,
    unconfirmed_event_notification = 3,
    time_synchronization = 6,
    who_has = 7,
    who_is = 8,
    utc_time_synchronization = 9,
};

std::string confirmed_service_name(std::uint8_t service);    // "ReadProperty", "service 42"
std::string unconfirmed_service_name(std::uint8_t service);  // "Who-Is", "service 42"
std::string_view pdu_type_name(PduType type);                // "ComplexACK"

// A decoded APDU header. `data` points into the caller's buffer: keep the datagram alive.
struct Apdu {
    PduType type = PduType::unconfirmed_request;
    std::uint8_t invoke_id = 0;  // all but Unconfirmed-Request
    std::uint8_t service = 0;    // requests, SimpleACK, ComplexACK, Error
    // Confirmed-Request only: what the requester accepts in return.
    bool segmented_response_accepted = false;
    std::uint8_t max_segments = 0;  // 0 = unspecified, else 2..64, 65 = more than 64
    std::uint16_t max_apdu = 0;     // 50, 128, 206, 480, 1024 or 1476
    // Error only.
    std::uint32_t error_class = 0;
    std::uint32_t error_code = 0;
    // Reject and Abort only.
    std::uint8_t reason = 0;
    bool from_server = false;  // Abort: sent by the server (the device) rather than a client
    // Service parameters (requests, ComplexACK); empty for the others.
    std::span<const std::uint8_t> data;
    std::size_t data_offset = 0;  // absolute offset of data[0]
};

// Decodes one APDU; `base` is its offset in the datagram. Segmented messages and Segment-ACK are
// refused with bacnet.unsupported (lintel never asks for segmentation, a segmented ComplexACK
// means the device ignored that). Error PDUs have their class and code read.
Expected<Apdu> decode_apdu(std::span<const std::uint8_t> data, std::size_t base = 0);

// Confirmed request: segmented-response-accepted = false, max segments unspecified, max APDU
// accepted 1476. Error if the whole APDU exceeds kMaxApdu.
Expected<std::vector<std::uint8_t>> encode_confirmed_request(std::uint8_t invoke_id,
                                                             ConfirmedService service,
                                                             std::span<const std::uint8_t> data);
Expected<std::vector<std::uint8_t>> encode_unconfirmed_request(UnconfirmedService service,
                                                               std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_simple_ack(std::uint8_t invoke_id, ConfirmedService service);
Expected<std::vector<std::uint8_t>> encode_complex_ack(std::uint8_t invoke_id,
                                                       ConfirmedService service,
                                                       std::span<const std::uint8_t> data);
std::vector<std::uint8_t> encode_error(std::uint8_t invoke_id, ConfirmedService service,
                                       std::uint32_t error_class, std::uint32_t error_code);
std::vector<std::uint8_t> encode_reject(std::uint8_t invoke_id, std::uint8_t reason);
std::vector<std::uint8_t> encode_abort(std::uint8_t invoke_id, std::uint8_t reason,
                                       bool from_server);

// The lintel::Error for a device's Error, Reject or Abort PDU: code
// "bacnet.error.<class>.<code>", "bacnet.reject.<reason>" or "bacnet.abort.<reason>" (names with
// '_', e.g. bacnet.error.property.unknown_property), message naming service, class and code
// and what it usually means. Any other PDU gives bacnet.malformed.
Error remote_error(const Apdu& apdu);
// The error for a device's (class, code): code bacnet.error.<class>.<code>, message
// "<context> <class> / <code>" and what the code usually means. Also used for the per-property
// errors inside a ReadPropertyMultiple-ACK.
Error device_error(std::uint32_t error_class, std::uint32_t error_code, std::string_view context);
// True for the errors remote_error makes (the device answered; the request was understood as
// BACnet and refused), as opposed to malformed or unexpected answers.
bool is_remote_error(const Error& error);

// For the answer to a confirmed request of `service`: succeeds on a SimpleACK of that service;
// remote_error for Error/Reject/Abort; bacnet.malformed for any other PDU or service.
Expected<void> expect_simple_ack(const Apdu& apdu, ConfirmedService service);
// As above for a ComplexACK; returns a reader over its service parameters, messages prefixed
// by `layer` (a string literal such as "ReadProperty-ACK").
Expected<Reader> expect_complex_ack(const Apdu& apdu, ConfirmedService service,
                                    std::string_view layer);

// For a received request: a reader over the parameters of an Unconfirmed-Request /
// Confirmed-Request of `service`, or bacnet.malformed naming `layer` (a string literal).
Expected<Reader> expect_unconfirmed(const Apdu& apdu, UnconfirmedService service,
                                    std::string_view layer);
Expected<Reader> expect_confirmed(const Apdu& apdu, ConfirmedService service,
                                  std::string_view layer);

}  // namespace lintel::bacnet
