// WriteProperty encoding and decoding (see write_property.hpp).
#include "write_property.hpp"

#include "tags.hpp"

namespace lintel::bacnet {

Expected<void> check_priority(std::optional<std::uint8_t> priority, std::string_view field) {
    if (priority && (*priority < kMinPriority || *priority > kMaxPriority)) {
        return invalid_request(std::string(field) + ": priority " + std::to_string(*priority) +
                               " is outside 1..16");
    }
    return {};
}

Expected<std::optional<std::uint8_t>> read_priority(Reader& r, std::uint8_t tag) {
    const std::size_t at = r.offset();
    auto priority = read_optional_context_unsigned(r, tag, "priority");
    if (!priority) return std::unexpected(priority.error());
    if (!*priority) return std::optional<std::uint8_t>{};
    if (**priority < kMinPriority || **priority > kMaxPriority) {
        return r.fail_at(at, "priority " + std::to_string(**priority) + " is outside 1..16");
    }
    return std::optional<std::uint8_t>{static_cast<std::uint8_t>(**priority)};
}

Expected<std::vector<std::uint8_t>> encode_write_property(std::uint8_t invoke_id,
                                                          const WritePropertyRequest& request) {
    if (auto ok = check_object_id(request.object, "WriteProperty"); !ok) {
        return std::unexpected(ok.error());
    }
    if (request.values.empty()) return invalid_request("WriteProperty: no value to write");
    for (const Value& v : request.values) {
        if (auto ok = check_value(v, "WriteProperty"); !ok) return std::unexpected(ok.error());
    }
    if (auto ok = check_priority(request.priority, "WriteProperty"); !ok) {
        return std::unexpected(ok.error());
    }
    Bytes data;
    put_context_object_id(data, 0, request.object);
    put_context_enumerated(data, 1, static_cast<std::uint32_t>(request.ref.property));
    if (request.ref.array_index) put_context_unsigned(data, 2, *request.ref.array_index);
    put_opening(data, 3);
    for (const Value& v : request.values) put_value(data, v);
    put_closing(data, 3);
    if (request.priority) put_context_unsigned(data, 4, *request.priority);
    return encode_confirmed_request(invoke_id, ConfirmedService::write_property, data);
}

Expected<WritePropertyRequest> decode_write_property_request(const Apdu& apdu) {
    auto r = expect_confirmed(apdu, ConfirmedService::write_property, "WriteProperty");
    if (!r) return std::unexpected(r.error());
    WritePropertyRequest request;
    auto object = read_context_object_id(*r, 0, "object identifier");
    if (!object) return std::unexpected(object.error());
    request.object = *object;
    auto property = read_context_enumerated(*r, 1, "property identifier");
    if (!property) return std::unexpected(property.error());
    request.ref.property = static_cast<PropertyId>(*property);
    auto index = read_optional_context_unsigned32(*r, 2, "array index");
    if (!index) return std::unexpected(index.error());
    request.ref.array_index = *index;
    const std::size_t at = r->offset();
    auto inner = r->enclosed(3, "property value");
    if (!inner) return std::unexpected(inner.error());
    if (inner->empty()) return r->fail_at(at, "property value is empty");
    auto values = read_values(*inner);
    if (!values) return std::unexpected(values.error());
    request.values = std::move(*values);
    auto priority = read_priority(*r, 4);
    if (!priority) return std::unexpected(priority.error());
    request.priority = *priority;
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return request;
}

Expected<void> decode_write_property_ack(const Apdu& apdu) {
    return expect_simple_ack(apdu, ConfirmedService::write_property);
}

}  // namespace lintel::bacnet
