// Change-of-value reporting: SubscribeCOV (subscribe, renew, cancel) and the Confirmed and
// Unconfirmed COV notifications a device sends back, both directions.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "apdu.hpp"
#include "lintel/error.hpp"
#include "read_property.hpp"
#include "value.hpp"

namespace lintel::bacnet {

struct SubscribeCovRequest {
    std::uint32_t subscriber_process_id = 0;  // chosen by the subscriber, echoed in notifications
    ObjectId monitored_object;
    // Both absent = cancel the subscription. Lifetime 0 (or absent with the flag present) means
    // indefinite; renew before it runs out.
    std::optional<bool> issue_confirmed_notifications;
    std::optional<std::uint32_t> lifetime_s;
    bool is_cancellation() const { return !issue_confirmed_notifications && !lifetime_s; }
    bool operator==(const SubscribeCovRequest&) const = default;
};

// BACnetPropertyValue: one reported property.
struct PropertyValue {
    PropertyRef ref;
    Values values;
    std::optional<std::uint8_t> priority;  // 1..16
    bool operator==(const PropertyValue&) const = default;
};

struct CovNotification {
    std::uint32_t subscriber_process_id = 0;
    ObjectId initiating_device{ObjectType::device, 0};
    ObjectId monitored_object;
    std::uint32_t time_remaining_s = 0;
    std::vector<PropertyValue> values;  // usually present-value and status-flags
    bool operator==(const CovNotification&) const = default;
};

Expected<std::vector<std::uint8_t>> encode_subscribe_cov(std::uint8_t invoke_id,
                                                         const SubscribeCovRequest& request);
Expected<SubscribeCovRequest> decode_subscribe_cov_request(const Apdu& apdu);
// The answer: a SimpleACK, or the device's Error/Reject/Abort as remote_error.
Expected<void> decode_subscribe_cov_ack(const Apdu& apdu);

Expected<std::vector<std::uint8_t>> encode_unconfirmed_cov_notification(
    const CovNotification& notification);
// A confirmed notification must be answered with
// encode_simple_ack(invoke_id, ConfirmedService::confirmed_cov_notification).
Expected<std::vector<std::uint8_t>> encode_confirmed_cov_notification(
    std::uint8_t invoke_id, const CovNotification& notification);
// Either kind (check apdu.type to know whether to acknowledge). Any value that cannot be
// decoded fails the whole notification.
Expected<CovNotification> decode_cov_notification(const Apdu& apdu);

}  // namespace lintel::bacnet
