// Names of BACnet error classes and codes, Reject reasons and Abort reasons, so that a device's
// refusal reaches the operator as "property / unknown-property" instead of two numbers.
#pragma once

#include <cstdint>
#include <string>

namespace lintel::bacnet {

namespace error_class {
inline constexpr std::uint32_t device = 0;
inline constexpr std::uint32_t object = 1;
inline constexpr std::uint32_t property = 2;
inline constexpr std::uint32_t resources = 3;
inline constexpr std::uint32_t security = 4;
inline constexpr std::uint32_t services = 5;
inline constexpr std::uint32_t vt = 6;
inline constexpr std::uint32_t communication = 7;
}  // namespace error_class

namespace error_code {
inline constexpr std::uint32_t other = 0;
inline constexpr std::uint32_t configuration_in_progress = 2;
inline constexpr std::uint32_t device_busy = 3;
inline constexpr std::uint32_t inconsistent_parameters = 7;
inline constexpr std::uint32_t invalid_data_type = 9;
inline constexpr std::uint32_t missing_required_parameter = 16;
inline constexpr std::uint32_t no_space_for_object = 18;
inline constexpr std::uint32_t no_space_to_write_property = 20;
inline constexpr std::uint32_t operational_problem = 25;
inline constexpr std::uint32_t read_access_denied = 27;
inline constexpr std::uint32_t service_request_denied = 29;
inline constexpr std::uint32_t timeout = 30;
inline constexpr std::uint32_t unknown_object = 31;
inline constexpr std::uint32_t unknown_property = 32;
inline constexpr std::uint32_t unsupported_object_type = 36;
inline constexpr std::uint32_t value_out_of_range = 37;
inline constexpr std::uint32_t write_access_denied = 40;
inline constexpr std::uint32_t character_set_not_supported = 41;
inline constexpr std::uint32_t invalid_array_index = 42;
inline constexpr std::uint32_t cov_subscription_failed = 43;
inline constexpr std::uint32_t not_cov_property = 44;
inline constexpr std::uint32_t optional_functionality_not_supported = 45;
inline constexpr std::uint32_t datatype_not_supported = 47;
inline constexpr std::uint32_t property_is_not_an_array = 50;
inline constexpr std::uint32_t unknown_device = 70;
inline constexpr std::uint32_t unknown_route = 71;
inline constexpr std::uint32_t value_not_initialized = 72;
inline constexpr std::uint32_t unknown_subscription = 79;
inline constexpr std::uint32_t busy = 82;
inline constexpr std::uint32_t communication_disabled = 83;
inline constexpr std::uint32_t out_of_memory = 133;
}  // namespace error_code

namespace reject_reason {
inline constexpr std::uint8_t other = 0;
inline constexpr std::uint8_t buffer_overflow = 1;
inline constexpr std::uint8_t inconsistent_parameters = 2;
inline constexpr std::uint8_t invalid_parameter_data_type = 3;
inline constexpr std::uint8_t invalid_tag = 4;
inline constexpr std::uint8_t missing_required_parameter = 5;
inline constexpr std::uint8_t parameter_out_of_range = 6;
inline constexpr std::uint8_t too_many_arguments = 7;
inline constexpr std::uint8_t undefined_enumeration = 8;
inline constexpr std::uint8_t unrecognized_service = 9;
}  // namespace reject_reason

namespace abort_reason {
inline constexpr std::uint8_t other = 0;
inline constexpr std::uint8_t buffer_overflow = 1;
inline constexpr std::uint8_t invalid_apdu_in_this_state = 2;
inline constexpr std::uint8_t preempted_by_higher_priority_task = 3;
inline constexpr std::uint8_t segmentation_not_supported = 4;
inline constexpr std::uint8_t security_error = 5;
inline constexpr std::uint8_t insufficient_security = 6;
inline constexpr std::uint8_t window_size_out_of_range = 7;
inline constexpr std::uint8_t application_exceeded_reply_time = 8;
inline constexpr std::uint8_t out_of_resources = 9;
inline constexpr std::uint8_t tsm_timeout = 10;
inline constexpr std::uint8_t apdu_too_long = 11;
}  // namespace abort_reason

// Standard hyphenated names: "property", "unknown-property", "segmentation-not-supported".
// Unknown values: "error-class-<n>" / "error-code-<n>" / "reject-reason-<n>" /
// "abort-reason-<n>", with "proprietary-" in front in the proprietary ranges.
std::string error_class_name(std::uint32_t error_class);
std::string error_code_name(std::uint32_t error_code);
std::string reject_reason_name(std::uint8_t reason);
std::string abort_reason_name(std::uint8_t reason);

// One sentence for the operator on what the common codes usually mean ("the device has no such
// object"); empty when there is nothing more to say than the name.
std::string error_hint(std::uint32_t error_class, std::uint32_t error_code);
std::string abort_hint(std::uint8_t reason);

}  // namespace lintel::bacnet
