// BACnet APDU headers, encoding and decoding (see apdu.hpp).
#include "apdu.hpp"

#include <array>

#include "error_text.hpp"
#include "tags.hpp"

namespace lintel::bacnet {
namespace {

constexpr unsigned kSegmentedBit = 0x08;
constexpr unsigned kSegmentedResponseAcceptedBit = 0x02;
constexpr std::uint8_t kMaxApduCode1476 = 5;

constexpr std::array<std::uint16_t, 6> kMaxApduSizes{50, 128, 206, 480, 1024, 1476};
constexpr std::array<std::uint8_t, 8> kMaxSegments{0, 2, 4, 8, 16, 32, 64, 65};

struct ServiceName {
    std::uint8_t service;
    std::string_view name;
};

constexpr std::array kConfirmedNames = std::to_array<ServiceName>({
    {0, "AcknowledgeAlarm"},
    {1, "ConfirmedCOVNotification"},
    {2, "ConfirmedEventNotification"},
    {3, "GetAlarmSummary"},
    {4, "GetEnrollmentSummary"},
    {5, "SubscribeCOV"},
    {6, "AtomicReadFile"},
    {7, "AtomicWriteFile"},
    {8, "AddListElement"},
    {9, "RemoveListElement"},
    {10, "CreateObject"},
    {11, "DeleteObject"},
    {12, "ReadProperty"},
    {14, "ReadPropertyMultiple"},
    {15, "WriteProperty"},
    {16, "WritePropertyMultiple"},
    {17, "DeviceCommunicationControl"},
    {18, "ConfirmedPrivateTransfer"},
    {19, "ConfirmedTextMessage"},
    {20, "ReinitializeDevice"},
    {26, "ReadRange"},
    {27, "LifeSafetyOperation"},
    {28, "SubscribeCOVProperty"},
    {29, "GetEventInformation"},
});

constexpr std::array kUnconfirmedNames = std::to_array<ServiceName>({
    {0, "I-Am"},
    {1, "I-Have"},
    {2, "UnconfirmedCOVNotification"},
    {3, "UnconfirmedEventNotification"},
    {4, "UnconfirmedPrivateTransfer"},
    {5, "UnconfirmedTextMessage"},
    {6, "TimeSynchronization"},
    {7, "Who-Has"},
    {8, "Who-Is"},
    {9, "UTCTimeSynchronization"},
    {10, "WriteGroup"},
});

template <typename Table>
std::string service_name(const Table& table, std::uint8_t service) {
    for (const auto& entry : table) {
        if (entry.service == service) return std::string(entry.name);
    }
    return "service " + std::to_string(service);
}

// "unknown-property" -> "unknown_property", for error codes.
std::string slug(std::string name) {
    for (char& c : name) {
        if (c == '-') c = '_';
    }
    return name;
}

std::vector<std::uint8_t> with_data(std::vector<std::uint8_t> header,
                                    std::span<const std::uint8_t> data) {
    header.insert(header.end(), data.begin(), data.end());
    return header;
}

Expected<void> check_size(std::size_t size, std::string_view what) {
    if (size > kMaxApdu) {
        return make_error(std::string(kInvalidRequest),
                          "APDU: " + std::string(what) + " of " + std::to_string(size) +
                              " bytes exceeds the maximum APDU of 1476 bytes");
    }
    return {};
}

// Error PDU parameters: class and code, application-tagged, wrapped in opening/closing tag 0
// for the services whose error carries more (CreateObject, WritePropertyMultiple, ...).
Expected<void> read_error_parameters(Reader& r, Apdu& apdu) {
    Reader inner = r;
    if (r.next_is_opening(0)) {
        auto wrapped = r.enclosed(0, "error");
        if (!wrapped) return std::unexpected(wrapped.error());
        inner = *wrapped;
    }
    auto cls = read_app_enumerated(inner, "error class");
    if (!cls) return std::unexpected(cls.error());
    auto code = read_app_enumerated(inner, "error code");
    if (!code) return std::unexpected(code.error());
    apdu.error_class = *cls;
    apdu.error_code = *code;
    return {};
}

}  // namespace

std::string confirmed_service_name(std::uint8_t service) {
    return service_name(kConfirmedNames, service);
}

std::string unconfirmed_service_name(std::uint8_t service) {
    return service_name(kUnconfirmedNames, service);
}

std::string_view pdu_type_name(PduType type) {
    switch (type) {
        case PduType::confirmed_request:
            return "Confirmed-Request";
        case PduType::unconfirmed_request:
            return "Unconfirmed-Request";
        case PduType::simple_ack:
            return "SimpleACK";
        case PduType::complex_ack:
            return "ComplexACK";
        case PduType::segment_ack:
            return "Segment-ACK";
        case PduType::error:
            return "Error";
        case PduType::reject:
            return "Reject";
        case PduType::abort:
            return "Abort";
    }
    return "unknown PDU";
}

Expected<Apdu> decode_apdu(std::span<const std::uint8_t> data, std::size_t base) {
    Reader r(data, "APDU", base);
    auto first = r.u8("PDU type");
    if (!first) return std::unexpected(first.error());
    const unsigned type = *first >> 4U;
    if (type > 7) return r.fail_at(base, "PDU type " + std::to_string(type) + " is reserved");
    Apdu apdu;
    apdu.type = static_cast<PduType>(type);
    const std::string name(pdu_type_name(apdu.type));
    const auto field = [&](std::string_view what) { return name + " " + std::string(what); };
    const bool segmented = (*first & kSegmentedBit) != 0;

    switch (apdu.type) {
        case PduType::confirmed_request: {
            apdu.segmented_response_accepted = (*first & kSegmentedResponseAcceptedBit) != 0;
            auto sizes = r.u8(field("max segments/max APDU"));
            if (!sizes) return std::unexpected(sizes.error());
            const unsigned apdu_code = *sizes & 0x0FU;
            if (apdu_code >= kMaxApduSizes.size()) {
                return r.fail_at(base + 1,
                                 "max APDU code " + std::to_string(apdu_code) + " is reserved");
            }
            apdu.max_apdu = kMaxApduSizes[apdu_code];
            apdu.max_segments = kMaxSegments[(*sizes >> 4U) & 0x07U];
            auto invoke = r.u8(field("invoke id"));
            if (!invoke) return std::unexpected(invoke.error());
            apdu.invoke_id = *invoke;
            if (segmented) {
                return r.fail_at(base,
                                 "segmented Confirmed-Request (invoke id " +
                                     std::to_string(apdu.invoke_id) + ") is not supported",
                                 kUnsupported);
            }
            auto service = r.u8(field("service choice"));
            if (!service) return std::unexpected(service.error());
            apdu.service = *service;
            break;
        }
        case PduType::unconfirmed_request: {
            auto service = r.u8(field("service choice"));
            if (!service) return std::unexpected(service.error());
            apdu.service = *service;
            break;
        }
        case PduType::simple_ack:
        case PduType::complex_ack:
        case PduType::error: {
            auto invoke = r.u8(field("invoke id"));
            if (!invoke) return std::unexpected(invoke.error());
            apdu.invoke_id = *invoke;
            if (apdu.type == PduType::complex_ack && segmented) {
                return r.fail_at(base,
                                 "segmented ComplexACK (invoke id " +
                                     std::to_string(apdu.invoke_id) +
                                     "): lintel never accepts segmented answers; ask for "
                                     "fewer properties per request",
                                 kUnsupported);
            }
            auto service = r.u8(field("service choice"));
            if (!service) return std::unexpected(service.error());
            apdu.service = *service;
            break;
        }
        case PduType::segment_ack:
            return r.fail_at(base, "Segment-ACK: lintel never segments", kUnsupported);
        case PduType::reject:
        case PduType::abort: {
            apdu.from_server = apdu.type == PduType::abort && (*first & 0x01U) != 0;
            auto invoke = r.u8(field("invoke id"));
            if (!invoke) return std::unexpected(invoke.error());
            apdu.invoke_id = *invoke;
            auto reason = r.u8(field("reason"));
            if (!reason) return std::unexpected(reason.error());
            apdu.reason = *reason;
            if (auto ok = r.expect_end(); !ok) return std::unexpected(ok.error());
            return apdu;
        }
    }
    apdu.data = r.rest();
    apdu.data_offset = r.offset();
    if (apdu.type == PduType::simple_ack) {
        if (auto ok = r.expect_end(); !ok) return std::unexpected(ok.error());
    } else if (apdu.type == PduType::error) {
        if (auto ok = read_error_parameters(r, apdu); !ok) return std::unexpected(ok.error());
    }
    return apdu;
}

Expected<std::vector<std::uint8_t>> encode_confirmed_request(std::uint8_t invoke_id,
                                                             ConfirmedService service,
                                                             std::span<const std::uint8_t> data) {
    if (auto ok = check_size(4 + data.size(), "Confirmed-Request"); !ok) {
        return std::unexpected(ok.error());
    }
    return with_data({0x00, kMaxApduCode1476, invoke_id, static_cast<std::uint8_t>(service)}, data);
}

Expected<std::vector<std::uint8_t>> encode_unconfirmed_request(UnconfirmedService service,
                                                               std::span<const std::uint8_t> data) {
    if (auto ok = check_size(2 + data.size(), "Unconfirmed-Request"); !ok) {
        return std::unexpected(ok.error());
    }
    return with_data({0x10, static_cast<std::uint8_t>(service)}, data);
}

std::vector<std::uint8_t> encode_simple_ack(std::uint8_t invoke_id, ConfirmedService service) {
    return {0x20, invoke_id, static_cast<std::uint8_t>(service)};
}

Expected<std::vector<std::uint8_t>> encode_complex_ack(std::uint8_t invoke_id,
                                                       ConfirmedService service,
                                                       std::span<const std::uint8_t> data) {
    if (auto ok = check_size(3 + data.size(), "ComplexACK"); !ok) {
        return std::unexpected(ok.error());
    }
    return with_data({0x30, invoke_id, static_cast<std::uint8_t>(service)}, data);
}

std::vector<std::uint8_t> encode_error(std::uint8_t invoke_id, ConfirmedService service,
                                       std::uint32_t error_class, std::uint32_t error_code) {
    std::vector<std::uint8_t> out{0x50, invoke_id, static_cast<std::uint8_t>(service)};
    put_value(out, Enumerated{error_class});
    put_value(out, Enumerated{error_code});
    return out;
}

std::vector<std::uint8_t> encode_reject(std::uint8_t invoke_id, std::uint8_t reason) {
    return {0x60, invoke_id, reason};
}

std::vector<std::uint8_t> encode_abort(std::uint8_t invoke_id, std::uint8_t reason,
                                       bool from_server) {
    return {static_cast<std::uint8_t>(from_server ? 0x71 : 0x70), invoke_id, reason};
}

Error device_error(std::uint32_t error_class, std::uint32_t error_code, std::string_view context) {
    const std::string cls = error_class_name(error_class);
    const std::string code = error_code_name(error_code);
    const std::string hint = error_hint(error_class, error_code);
    return Error{"bacnet.error." + slug(cls) + "." + slug(code),
                 std::string(context) + " " + cls + " / " + code +
                     (hint.empty() ? std::string() : ": " + hint)};
}

Error remote_error(const Apdu& apdu) {
    const std::string invoke = " (invoke id " + std::to_string(apdu.invoke_id) + ")";
    switch (apdu.type) {
        case PduType::error:
            return device_error(
                apdu.error_class, apdu.error_code,
                "device answered " + confirmed_service_name(apdu.service) + invoke + " with Error");
        case PduType::reject: {
            const std::string reason = reject_reason_name(apdu.reason);
            return Error{"bacnet.reject." + slug(reason),
                         "device rejected the request" + invoke + ": " + reason};
        }
        case PduType::abort: {
            const std::string reason = abort_reason_name(apdu.reason);
            const std::string hint = abort_hint(apdu.reason);
            return Error{"bacnet.abort." + slug(reason),
                         std::string(apdu.from_server ? "device" : "client") +
                             " aborted the transaction" + invoke + ": " + reason +
                             (hint.empty() ? std::string() : "; " + hint)};
        }
        default:
            return Error{std::string(kMalformed),
                         "APDU: expected an answer, got " + std::string(pdu_type_name(apdu.type))};
    }
}

bool is_remote_error(const Error& error) {
    return error.code.starts_with("bacnet.error.") || error.code.starts_with("bacnet.reject.") ||
           error.code.starts_with("bacnet.abort.");
}

namespace {

Expected<void> expect_answer(const Apdu& apdu, PduType want, ConfirmedService service) {
    if (apdu.type == PduType::error || apdu.type == PduType::reject ||
        apdu.type == PduType::abort) {
        return std::unexpected(remote_error(apdu));
    }
    const std::string what = confirmed_service_name(static_cast<std::uint8_t>(service));
    if (apdu.type != want) {
        return make_error(std::string(kMalformed),
                          "APDU: expected a " + std::string(pdu_type_name(want)) + " to " + what +
                              ", got " + std::string(pdu_type_name(apdu.type)));
    }
    if (apdu.service != static_cast<std::uint8_t>(service)) {
        return make_error(std::string(kMalformed),
                          "APDU: expected a " + std::string(pdu_type_name(want)) + " to " + what +
                              ", got one to " + confirmed_service_name(apdu.service));
    }
    return {};
}

}  // namespace

Expected<void> expect_simple_ack(const Apdu& apdu, ConfirmedService service) {
    return expect_answer(apdu, PduType::simple_ack, service);
}

Expected<Reader> expect_complex_ack(const Apdu& apdu, ConfirmedService service,
                                    std::string_view layer) {
    if (auto ok = expect_answer(apdu, PduType::complex_ack, service); !ok) {
        return std::unexpected(ok.error());
    }
    return Reader(apdu.data, layer, apdu.data_offset);
}

namespace {

// The parameters of a request of `type` for `service` (named `name`), or an error.
Expected<Reader> expect_request(const Apdu& apdu, PduType type, std::uint8_t service,
                                const std::string& name, std::string_view layer) {
    Reader r(apdu.data, layer, apdu.data_offset);
    if (apdu.type != type || apdu.service != service) {
        return r.fail("APDU is a " + std::string(pdu_type_name(apdu.type)) + " of service " +
                      std::to_string(apdu.service) + ", not a " + name);
    }
    return r;
}

}  // namespace

Expected<Reader> expect_unconfirmed(const Apdu& apdu, UnconfirmedService service,
                                    std::string_view layer) {
    const auto s = static_cast<std::uint8_t>(service);
    return expect_request(apdu, PduType::unconfirmed_request, s, unconfirmed_service_name(s),
                          layer);
}

Expected<Reader> expect_confirmed(const Apdu& apdu, ConfirmedService service,
                                  std::string_view layer) {
    const auto s = static_cast<std::uint8_t>(service);
    return expect_request(apdu, PduType::confirmed_request, s,
                          confirmed_service_name(s) + " request", layer);
}

}  // namespace lintel::bacnet
