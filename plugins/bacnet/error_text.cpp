// Name tables for error classes and codes, Reject and Abort reasons (see error_text.hpp).
#include "error_text.hpp"

#include <array>
#include <string_view>

namespace lintel::bacnet {
namespace {

constexpr std::array<std::string_view, 8> kClasses{
    "device", "object", "property", "resources", "security", "services", "vt", "communication"};

// Index = error code (ASHRAE 135-2020 clause 21, BACnetErrorCode); "" where the standard has
// retired a value.
constexpr std::array<std::string_view, 139> kCodes{
    "other",
    "authentication-failed",
    "configuration-in-progress",
    "device-busy",
    "dynamic-creation-not-supported",
    "file-access-denied",
    "incompatible-security-levels",
    "inconsistent-parameters",
    "inconsistent-selection-criterion",
    "invalid-data-type",
    "invalid-file-access-method",  // 10
    "invalid-file-start-position",
    "invalid-operator-name",
    "invalid-parameter-data-type",
    "invalid-time-stamp",
    "key-generation-error",
    "missing-required-parameter",
    "no-objects-of-specified-type",
    "no-space-for-object",
    "no-space-to-add-list-element",
    "no-space-to-write-property",  // 20
    "no-vt-sessions-available",
    "property-is-not-a-list",
    "object-deletion-not-permitted",
    "object-identifier-already-exists",
    "operational-problem",
    "password-failure",
    "read-access-denied",
    "security-not-supported",
    "service-request-denied",
    "timeout",  // 30
    "unknown-object",
    "unknown-property",
    "",
    "unknown-vt-class",
    "unknown-vt-session",
    "unsupported-object-type",
    "value-out-of-range",
    "vt-session-already-closed",
    "vt-session-termination-failure",
    "write-access-denied",  // 40
    "character-set-not-supported",
    "invalid-array-index",
    "cov-subscription-failed",
    "not-cov-property",
    "optional-functionality-not-supported",
    "invalid-configuration-data",
    "datatype-not-supported",
    "duplicate-name",
    "duplicate-object-id",
    "property-is-not-an-array",  // 50
    "abort-buffer-overflow",
    "abort-invalid-apdu-in-this-state",
    "abort-preempted-by-higher-priority-task",
    "abort-segmentation-not-supported",
    "abort-proprietary",
    "abort-other",
    "invalid-tag",
    "network-down",
    "reject-buffer-overflow",
    "reject-inconsistent-parameters",  // 60
    "reject-invalid-parameter-data-type",
    "reject-invalid-tag",
    "reject-missing-required-parameter",
    "reject-parameter-out-of-range",
    "reject-too-many-arguments",
    "reject-undefined-enumeration",
    "reject-unrecognized-service",
    "reject-proprietary",
    "reject-other",
    "unknown-device",  // 70
    "unknown-route",
    "value-not-initialized",
    "invalid-event-state",
    "no-alarm-configured",
    "log-buffer-full",
    "logged-value-purged",
    "no-property-specified",
    "not-configured-for-triggered-logging",
    "unknown-subscription",
    "parameter-out-of-range",  // 80
    "list-element-not-found",
    "busy",
    "communication-disabled",
    "success",
    "access-denied",
    "bad-destination-address",
    "bad-destination-device-id",
    "bad-signature",
    "bad-source-address",
    "bad-timestamp",  // 90
    "cannot-use-key",
    "cannot-verify-message-id",
    "correct-key-revision",
    "destination-device-id-required",
    "duplicate-message",
    "encryption-not-configured",
    "encryption-required",
    "incorrect-key",
    "invalid-key-data",
    "key-update-in-progress",  // 100
    "malformed-message",
    "not-key-server",
    "security-not-configured",
    "source-security-required",
    "too-many-keys",
    "unknown-authentication-type",
    "unknown-key",
    "unknown-key-revision",
    "unknown-source-message",
    "not-router-to-dnet",  // 110
    "router-busy",
    "unknown-network-message",
    "message-too-long",
    "security-error",
    "addressing-error",
    "write-bdt-failed",
    "read-bdt-failed",
    "register-foreign-device-failed",
    "read-fdt-failed",
    "delete-fdt-entry-failed",  // 120
    "distribute-broadcast-failed",
    "unknown-file-size",
    "abort-apdu-too-long",
    "abort-application-exceeded-reply-time",
    "abort-out-of-resources",
    "abort-tsm-timeout",
    "abort-window-size-out-of-range",
    "file-full",
    "inconsistent-configuration",
    "inconsistent-object-type",  // 130
    "internal-error",
    "not-configured",
    "out-of-memory",
    "value-too-long",
    "abort-insufficient-security",
    "abort-security-error",
    "duplicate-entry",
    "invalid-value-in-this-state",
};

constexpr std::array<std::string_view, 11> kRejectReasons{
    "other",
    "buffer-overflow",
    "inconsistent-parameters",
    "invalid-parameter-data-type",
    "invalid-tag",
    "missing-required-parameter",
    "parameter-out-of-range",
    "too-many-arguments",
    "undefined-enumeration",
    "unrecognized-service",
    "invalid-data-encoding",
};

constexpr std::array<std::string_view, 12> kAbortReasons{
    "other",
    "buffer-overflow",
    "invalid-apdu-in-this-state",
    "preempted-by-higher-priority-task",
    "segmentation-not-supported",
    "security-error",
    "insufficient-security",
    "window-size-out-of-range",
    "application-exceeded-reply-time",
    "out-of-resources",
    "tsm-timeout",
    "apdu-too-long",
};

template <std::size_t N>
std::string lookup(const std::array<std::string_view, N>& table, std::uint32_t value,
                   std::uint32_t first_proprietary, std::string_view kind) {
    if (value < N && !table[value].empty()) return std::string(table[value]);
    const std::string prefix = value >= first_proprietary ? "proprietary-" : "";
    return prefix + std::string(kind) + "-" + std::to_string(value);
}

}  // namespace

std::string error_class_name(std::uint32_t error_class) {
    return lookup(kClasses, error_class, 64, "error-class");
}

std::string error_code_name(std::uint32_t error_code) {
    return lookup(kCodes, error_code, 256, "error-code");
}

std::string reject_reason_name(std::uint8_t reason) {
    return lookup(kRejectReasons, reason, 64, "reject-reason");
}

std::string abort_reason_name(std::uint8_t reason) {
    return lookup(kAbortReasons, reason, 64, "abort-reason");
}

std::string error_hint(std::uint32_t error_class, std::uint32_t error_code) {
    (void)error_class;  // the codes below mean the same in every class they appear with
    switch (error_code) {
        case error_code::unknown_object:
            return "the device has no object with that identifier; check the point map";
        case error_code::unknown_property:
            return "the object has no such property; check the point map";
        case error_code::write_access_denied:
            return "the property is read-only, or the device refuses writes from this client";
        case error_code::value_out_of_range:
            return "the device refused the value as outside the property's range";
        case error_code::invalid_data_type:
            return "the value's datatype does not match the property";
        case error_code::invalid_array_index:
            return "the property has no element at that array index";
        case error_code::property_is_not_an_array:
            return "an array index was given for a property that is not an array";
        case error_code::service_request_denied:
            return "the device refused the service (busy, disabled or not allowed)";
        case error_code::read_access_denied:
            return "the device refuses to read that property to this client";
        case error_code::not_cov_property:
            return "the object does not report changes of value for that property";
        case error_code::cov_subscription_failed:
            return "the device could not add the subscription (its table may be full)";
        case error_code::no_space_to_write_property:
        case error_code::no_space_for_object:
        case error_code::out_of_memory:
            return "the device is out of resources";
        case error_code::device_busy:
        case error_code::busy:
            return "the device is busy; the request may succeed when retried";
        case error_code::communication_disabled:
            return "communication with the device is disabled (DeviceCommunicationControl)";
        case error_code::unknown_route:
        case error_code::unknown_device:
            return "a router could not reach the device";
        default:
            return "";
    }
}

std::string abort_hint(std::uint8_t reason) {
    switch (reason) {
        case abort_reason::segmentation_not_supported:
            return "the answer would need segmentation, which lintel does not accept; read fewer "
                   "properties per request";
        case abort_reason::buffer_overflow:
        case abort_reason::apdu_too_long:
            return "the request or its answer does not fit the device's buffers; read fewer "
                   "properties per request";
        case abort_reason::out_of_resources:
            return "the device is out of resources";
        default:
            return "";
    }
}

}  // namespace lintel::bacnet
