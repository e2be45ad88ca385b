// SubscribeCOV and COV notification encoding and decoding (see cov.hpp).
#include "cov.hpp"

#include "tags.hpp"
#include "write_property.hpp"

namespace lintel::bacnet {
namespace {

Expected<Bytes> notification_data(const CovNotification& n) {
    for (const ObjectId* id : {&n.initiating_device, &n.monitored_object}) {
        if (auto ok = check_object_id(*id, "COV notification"); !ok) {
            return std::unexpected(ok.error());
        }
    }
    Bytes data;
    put_context_unsigned(data, 0, n.subscriber_process_id);
    put_context_object_id(data, 1, n.initiating_device);
    put_context_object_id(data, 2, n.monitored_object);
    put_context_unsigned(data, 3, n.time_remaining_s);
    put_opening(data, 4);
    for (const PropertyValue& pv : n.values) {
        if (pv.values.empty()) {
            return invalid_request("COV notification: no value for " +
                                   property_name(pv.ref.property));
        }
        for (const Value& v : pv.values) {
            if (auto ok = check_value(v, "COV notification"); !ok) {
                return std::unexpected(ok.error());
            }
        }
        if (auto ok = check_priority(pv.priority, "COV notification"); !ok) {
            return std::unexpected(ok.error());
        }
        put_context_enumerated(data, 0, static_cast<std::uint32_t>(pv.ref.property));
        if (pv.ref.array_index) put_context_unsigned(data, 1, *pv.ref.array_index);
        put_opening(data, 2);
        for (const Value& v : pv.values) put_value(data, v);
        put_closing(data, 2);
        if (pv.priority) put_context_unsigned(data, 3, *pv.priority);
    }
    put_closing(data, 4);
    return data;
}

Expected<PropertyValue> read_property_value(Reader& r) {
    PropertyValue pv;
    auto property = read_context_enumerated(r, 0, "property identifier");
    if (!property) return std::unexpected(property.error());
    pv.ref.property = static_cast<PropertyId>(*property);
    auto index = read_optional_context_unsigned32(r, 1, "array index");
    if (!index) return std::unexpected(index.error());
    pv.ref.array_index = *index;
    const std::size_t at = r.offset();
    auto inner = r.enclosed(2, "value");
    if (!inner) return std::unexpected(inner.error());
    if (inner->empty())
        return r.fail_at(at, "value of " + property_name(pv.ref.property) + " is empty");
    auto values = read_values(*inner);
    if (!values) return std::unexpected(values.error());
    pv.values = std::move(*values);
    auto priority = read_priority(r, 3);
    if (!priority) return std::unexpected(priority.error());
    pv.priority = *priority;
    return pv;
}

}  // namespace

Expected<std::vector<std::uint8_t>> encode_subscribe_cov(std::uint8_t invoke_id,
                                                         const SubscribeCovRequest& request) {
    if (auto ok = check_object_id(request.monitored_object, "SubscribeCOV"); !ok) {
        return std::unexpected(ok.error());
    }
    Bytes data;
    put_context_unsigned(data, 0, request.subscriber_process_id);
    put_context_object_id(data, 1, request.monitored_object);
    if (request.issue_confirmed_notifications) {
        put_context_boolean(data, 2, *request.issue_confirmed_notifications);
    }
    if (request.lifetime_s) put_context_unsigned(data, 3, *request.lifetime_s);
    return encode_confirmed_request(invoke_id, ConfirmedService::subscribe_cov, data);
}

Expected<SubscribeCovRequest> decode_subscribe_cov_request(const Apdu& apdu) {
    auto r = expect_confirmed(apdu, ConfirmedService::subscribe_cov, "SubscribeCOV");
    if (!r) return std::unexpected(r.error());
    SubscribeCovRequest request;
    auto process = read_context_unsigned32(*r, 0, "subscriber process identifier");
    if (!process) return std::unexpected(process.error());
    request.subscriber_process_id = *process;
    auto object = read_context_object_id(*r, 1, "monitored object identifier");
    if (!object) return std::unexpected(object.error());
    request.monitored_object = *object;
    if (r->next_is_context(2)) {
        auto confirmed = read_context_boolean(*r, 2, "issue confirmed notifications");
        if (!confirmed) return std::unexpected(confirmed.error());
        request.issue_confirmed_notifications = *confirmed;
    }
    auto lifetime = read_optional_context_unsigned32(*r, 3, "lifetime");
    if (!lifetime) return std::unexpected(lifetime.error());
    request.lifetime_s = *lifetime;
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return request;
}

Expected<void> decode_subscribe_cov_ack(const Apdu& apdu) {
    return expect_simple_ack(apdu, ConfirmedService::subscribe_cov);
}

Expected<std::vector<std::uint8_t>> encode_unconfirmed_cov_notification(
    const CovNotification& notification) {
    auto data = notification_data(notification);
    if (!data) return std::unexpected(data.error());
    return encode_unconfirmed_request(UnconfirmedService::unconfirmed_cov_notification, *data);
}

Expected<std::vector<std::uint8_t>> encode_confirmed_cov_notification(
    std::uint8_t invoke_id, const CovNotification& notification) {
    auto data = notification_data(notification);
    if (!data) return std::unexpected(data.error());
    return encode_confirmed_request(invoke_id, ConfirmedService::confirmed_cov_notification, *data);
}

Expected<CovNotification> decode_cov_notification(const Apdu& apdu) {
    auto r = apdu.type == PduType::confirmed_request
                 ? expect_confirmed(apdu, ConfirmedService::confirmed_cov_notification,
                                    "ConfirmedCOVNotification")
                 : expect_unconfirmed(apdu, UnconfirmedService::unconfirmed_cov_notification,
                                      "UnconfirmedCOVNotification");
    if (!r) return std::unexpected(r.error());
    CovNotification n;
    auto process = read_context_unsigned32(*r, 0, "subscriber process identifier");
    if (!process) return std::unexpected(process.error());
    n.subscriber_process_id = *process;
    auto device = read_context_object_id(*r, 1, "initiating device identifier");
    if (!device) return std::unexpected(device.error());
    n.initiating_device = *device;
    auto object = read_context_object_id(*r, 2, "monitored object identifier");
    if (!object) return std::unexpected(object.error());
    n.monitored_object = *object;
    auto remaining = read_context_unsigned32(*r, 3, "time remaining");
    if (!remaining) return std::unexpected(remaining.error());
    n.time_remaining_s = *remaining;
    auto list = r->enclosed(4, "list of values");
    if (!list) return std::unexpected(list.error());
    while (!list->empty()) {
        auto pv = read_property_value(*list);
        if (!pv) return std::unexpected(pv.error());
        n.values.push_back(std::move(*pv));
    }
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return n;
}

}  // namespace lintel::bacnet
