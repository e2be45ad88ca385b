// ReadProperty and ReadPropertyMultiple encoding and decoding (see read_property.hpp).
#include "read_property.hpp"

#include "tags.hpp"

namespace lintel::bacnet {
namespace {

constexpr std::size_t kConfirmedHeaderSize = 4;

std::size_t unsigned_size(std::uint64_t v) {
    std::size_t n = 1;
    while (n < 8 && (v >> (8 * n)) != 0) ++n;
    return n;
}

Expected<void> check_ref(const PropertyRef& ref, std::string_view field) {
    const auto p = static_cast<std::uint32_t>(ref.property);
    if (p > kMaxPropertyId) {
        return invalid_request(std::string(field) + ": property identifier " + std::to_string(p) +
                               " exceeds 4194303");
    }
    return {};
}

Expected<void> check_values(const Values& values, std::string_view field) {
    if (values.empty()) return invalid_request(std::string(field) + ": no value to encode");
    for (const Value& v : values) {
        if (auto ok = check_value(v, field); !ok) return ok;
    }
    return {};
}

// Object [0], property [1], array index [2]: the head of ReadProperty request and ACK.
void put_object_property(Bytes& out, const ObjectId& object, const PropertyRef& ref) {
    put_context_object_id(out, 0, object);
    put_context_enumerated(out, 1, static_cast<std::uint32_t>(ref.property));
    if (ref.array_index) put_context_unsigned(out, 2, *ref.array_index);
}

struct ObjectProperty {
    ObjectId object;
    PropertyRef ref;
};

Expected<ObjectProperty> read_object_property(Reader& r) {
    auto object = read_context_object_id(r, 0, "object identifier");
    if (!object) return std::unexpected(object.error());
    auto property = read_context_enumerated(r, 1, "property identifier");
    if (!property) return std::unexpected(property.error());
    auto index = read_optional_context_unsigned32(r, 2, "array index");
    if (!index) return std::unexpected(index.error());
    return ObjectProperty{*object, {static_cast<PropertyId>(*property), *index}};
}

// The values between opening and closing tag `tag`; at least one.
Expected<Values> read_enclosed_values(Reader& r, std::uint8_t tag, std::string_view field) {
    const std::size_t at = r.offset();
    auto inner = r.enclosed(tag, field);
    if (!inner) return std::unexpected(inner.error());
    if (inner->empty()) return r.fail_at(at, std::string(field) + " is empty");
    return read_values(*inner);
}

void put_enclosed_values(Bytes& out, std::uint8_t tag, const Values& values) {
    put_opening(out, tag);
    for (const Value& v : values) put_value(out, v);
    put_closing(out, tag);
}

// One listOfResults element of a ReadAccessResult: property [2], index [3], then the value
// [4] or an error [5].
Expected<PropertyResult> read_property_result(Reader& r) {
    auto property = read_context_enumerated(r, 2, "property identifier");
    if (!property) return std::unexpected(property.error());
    auto index = read_optional_context_unsigned32(r, 3, "array index");
    if (!index) return std::unexpected(index.error());
    PropertyResult result{{static_cast<PropertyId>(*property), *index}, Values{}};
    if (r.next_is_opening(4)) {
        const std::size_t at = r.offset();
        // The framing is checked first, so a value lintel cannot read costs only this result.
        auto inner = r.enclosed(4, "property value");
        if (!inner) return std::unexpected(inner.error());
        if (inner->empty()) return r.fail_at(at, "property value is empty");
        auto values = read_values(*inner);
        if (values) {
            result.result = std::move(*values);
        } else {
            result.result = std::move(values.error());
        }
        return result;
    }
    if (r.next_is_opening(5)) {
        auto inner = r.enclosed(5, "property access error");
        if (!inner) return std::unexpected(inner.error());
        auto cls = read_app_enumerated(*inner, "error class");
        if (!cls) return std::unexpected(cls.error());
        auto code = read_app_enumerated(*inner, "error code");
        if (!code) return std::unexpected(code.error());
        if (auto ok = inner->expect_end(); !ok) return std::unexpected(ok.error());
        result.result = PropertyAccessError{*cls, *code};
        return result;
    }
    auto t = r.peek_tag();
    if (!t) return std::unexpected(t.error());
    return r.fail("result of " + property_name(result.ref.property) +
                  " must be opening tag 4 (value) or 5 (error), found " + describe(*t));
}

}  // namespace

Expected<std::vector<std::uint8_t>> encode_read_property(std::uint8_t invoke_id,
                                                         const ReadPropertyRequest& request) {
    if (auto ok = check_object_id(request.object, "ReadProperty"); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = check_ref(request.ref, "ReadProperty"); !ok) return std::unexpected(ok.error());
    Bytes data;
    put_object_property(data, request.object, request.ref);
    return encode_confirmed_request(invoke_id, ConfirmedService::read_property, data);
}

Expected<std::vector<std::uint8_t>> encode_read_property_ack(std::uint8_t invoke_id,
                                                             const ReadPropertyAck& ack) {
    if (auto ok = check_object_id(ack.object, "ReadProperty-ACK"); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = check_ref(ack.ref, "ReadProperty-ACK"); !ok) return std::unexpected(ok.error());
    if (auto ok = check_values(ack.values, "ReadProperty-ACK"); !ok) {
        return std::unexpected(ok.error());
    }
    Bytes data;
    put_object_property(data, ack.object, ack.ref);
    put_enclosed_values(data, 3, ack.values);
    return encode_complex_ack(invoke_id, ConfirmedService::read_property, data);
}

Expected<ReadPropertyRequest> decode_read_property_request(const Apdu& apdu) {
    auto r = expect_confirmed(apdu, ConfirmedService::read_property, "ReadProperty");
    if (!r) return std::unexpected(r.error());
    auto head = read_object_property(*r);
    if (!head) return std::unexpected(head.error());
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return ReadPropertyRequest{head->object, head->ref};
}

Expected<ReadPropertyAck> decode_read_property_ack(const Apdu& apdu) {
    auto r = expect_complex_ack(apdu, ConfirmedService::read_property, "ReadProperty-ACK");
    if (!r) return std::unexpected(r.error());
    auto head = read_object_property(*r);
    if (!head) return std::unexpected(head.error());
    auto values = read_enclosed_values(*r, 3, "property value");
    if (!values) return std::unexpected(values.error());
    if (auto ok = r->expect_end(); !ok) return std::unexpected(ok.error());
    return ReadPropertyAck{head->object, head->ref, std::move(*values)};
}

Expected<Values> values_of(const PropertyResult& result) {
    if (const auto* values = std::get_if<Values>(&result.result)) return *values;
    if (const auto* e = std::get_if<PropertyAccessError>(&result.result)) {
        return std::unexpected(
            device_error(e->error_class, e->error_code,
                         "device answered " + property_name(result.ref.property) + " with Error"));
    }
    return std::unexpected(std::get<Error>(result.result));
}

std::size_t read_access_spec_size(const ReadAccessSpec& spec) {
    std::size_t n = 5 + 2;  // object id [0], opening and closing tag 1
    for (const PropertyRef& ref : spec.properties) {
        n += 1 + unsigned_size(static_cast<std::uint32_t>(ref.property));
        if (ref.array_index) n += 1 + unsigned_size(*ref.array_index);
    }
    return n;
}

std::size_t read_property_multiple_size(std::span<const ReadAccessSpec> specs) {
    std::size_t n = kConfirmedHeaderSize;
    for (const ReadAccessSpec& spec : specs) n += read_access_spec_size(spec);
    return n;
}

Expected<std::vector<std::uint8_t>> encode_read_property_multiple(
    std::uint8_t invoke_id, std::span<const ReadAccessSpec> specs) {
    if (specs.empty()) return invalid_request("ReadPropertyMultiple: no object to read");
    Bytes data;
    for (const ReadAccessSpec& spec : specs) {
        if (auto ok = check_object_id(spec.object, "ReadPropertyMultiple"); !ok) {
            return std::unexpected(ok.error());
        }
        if (spec.properties.empty()) {
            return invalid_request("ReadPropertyMultiple: no property to read from " +
                                   to_text(spec.object));
        }
        put_context_object_id(data, 0, spec.object);
        put_opening(data, 1);
        for (const PropertyRef& ref : spec.properties) {
            if (auto ok = check_ref(ref, "ReadPropertyMultiple"); !ok) {
                return std::unexpected(ok.error());
            }
            put_context_enumerated(data, 0, static_cast<std::uint32_t>(ref.property));
            if (ref.array_index) put_context_unsigned(data, 1, *ref.array_index);
        }
        put_closing(data, 1);
    }
    return encode_confirmed_request(invoke_id, ConfirmedService::read_property_multiple, data);
}

Expected<std::vector<std::uint8_t>> encode_read_property_multiple_ack(
    std::uint8_t invoke_id, std::span<const ReadAccessResult> results) {
    Bytes data;
    for (const ReadAccessResult& object : results) {
        if (auto ok = check_object_id(object.object, "ReadPropertyMultiple-ACK"); !ok) {
            return std::unexpected(ok.error());
        }
        put_context_object_id(data, 0, object.object);
        put_opening(data, 1);
        for (const PropertyResult& result : object.results) {
            if (auto ok = check_ref(result.ref, "ReadPropertyMultiple-ACK"); !ok) {
                return std::unexpected(ok.error());
            }
            put_context_enumerated(data, 2, static_cast<std::uint32_t>(result.ref.property));
            if (result.ref.array_index) put_context_unsigned(data, 3, *result.ref.array_index);
            if (const auto* values = std::get_if<Values>(&result.result)) {
                if (auto ok = check_values(*values, "ReadPropertyMultiple-ACK"); !ok) {
                    return std::unexpected(ok.error());
                }
                put_enclosed_values(data, 4, *values);
            } else if (const auto* e = std::get_if<PropertyAccessError>(&result.result)) {
                put_opening(data, 5);
                put_value(data, Enumerated{e->error_class});
                put_value(data, Enumerated{e->error_code});
                put_closing(data, 5);
            } else {
                return invalid_request("ReadPropertyMultiple-ACK: a decoding error of " +
                                       property_name(result.ref.property) + " cannot be encoded");
            }
        }
        put_closing(data, 1);
    }
    return encode_complex_ack(invoke_id, ConfirmedService::read_property_multiple, data);
}

Expected<std::vector<ReadAccessSpec>> decode_read_property_multiple_request(const Apdu& apdu) {
    auto r =
        expect_confirmed(apdu, ConfirmedService::read_property_multiple, "ReadPropertyMultiple");
    if (!r) return std::unexpected(r.error());
    if (r->empty()) return r->fail("no read access specification");
    std::vector<ReadAccessSpec> specs;
    while (!r->empty()) {
        ReadAccessSpec spec;
        auto object = read_context_object_id(*r, 0, "object identifier");
        if (!object) return std::unexpected(object.error());
        spec.object = *object;
        const std::size_t at = r->offset();
        auto list = r->enclosed(1, "list of property references");
        if (!list) return std::unexpected(list.error());
        if (list->empty()) return r->fail_at(at, "list of property references is empty");
        while (!list->empty()) {
            auto property = read_context_enumerated(*list, 0, "property identifier");
            if (!property) return std::unexpected(property.error());
            auto index = read_optional_context_unsigned32(*list, 1, "array index");
            if (!index) return std::unexpected(index.error());
            spec.properties.push_back({static_cast<PropertyId>(*property), *index});
        }
        specs.push_back(std::move(spec));
    }
    return specs;
}

Expected<std::vector<ReadAccessResult>> decode_read_property_multiple_ack(const Apdu& apdu) {
    auto r = expect_complex_ack(apdu, ConfirmedService::read_property_multiple,
                                "ReadPropertyMultiple-ACK");
    if (!r) return std::unexpected(r.error());
    if (r->empty()) return r->fail("no read access result");
    std::vector<ReadAccessResult> results;
    while (!r->empty()) {
        ReadAccessResult object;
        auto id = read_context_object_id(*r, 0, "object identifier");
        if (!id) return std::unexpected(id.error());
        object.object = *id;
        // listOfResults is OPTIONAL in the ASN.1 only for other services' use; in an ACK to
        // ReadPropertyMultiple its absence means the answer was cut short.
        auto list = r->enclosed(1, "list of results");
        if (!list) return std::unexpected(list.error());
        while (!list->empty()) {
            auto result = read_property_result(*list);
            if (!result) return std::unexpected(result.error());
            object.results.push_back(std::move(*result));
        }
        results.push_back(std::move(object));
    }
    return results;
}

}  // namespace lintel::bacnet
