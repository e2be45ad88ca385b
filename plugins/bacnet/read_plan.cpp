// ReadPropertyMultiple batching within the device's max APDU (see read_plan.hpp).
#include "read_plan.hpp"

#include <algorithm>

#include "apdu.hpp"
#include "config.hpp"

namespace lintel::bacnet {
namespace {

constexpr std::size_t kComplexAckHeader = 3;  // PDU type, invoke id, service choice

// Bytes of an unsigned in a context tag: the tag octet and the shortest content.
std::size_t context_unsigned_size(std::uint64_t v) {
    std::size_t n = 1;
    while (n < 8 && (v >> (8 * n)) != 0) ++n;
    return 1 + n;
}

// A generous guess of one property value's encoding (application tags included).
std::size_t value_estimate(ObjectType type, const PropertyRef& ref) {
    switch (ref.property) {
        case PropertyId::present_value:
            // Analog: REAL 5; binary: ENUMERATED 2; multi-state: Unsigned up to 5. Other types
            // may hold a Double (9).
            return object_kind(type) == ObjectKind::other ? 10 : 5;
        case PropertyId::status_flags:
            return 4;  // BIT STRING: tag, unused-bits octet, one octet of flags
        case PropertyId::units:
        case PropertyId::event_state:
        case PropertyId::object_type:
        case PropertyId::out_of_service:
        case PropertyId::reliability:
        case PropertyId::polarity:
            return 4;
        case PropertyId::object_name:
        case PropertyId::description:
        case PropertyId::active_text:
        case PropertyId::inactive_text:
            return 64;  // CharacterString: names are usually short; an Abort makes batches smaller
        default:
            break;
    }
    return 16;
}

}  // namespace

std::size_t estimated_result_size(const ReadAccessSpec& spec) {
    std::size_t n = 5 + 2;  // [0] object identifier, [1] opening and closing
    for (const PropertyRef& ref : spec.properties) {
        n += context_unsigned_size(static_cast<std::uint32_t>(ref.property));
        if (ref.array_index) n += context_unsigned_size(*ref.array_index);
        // [4] value, or [5] error (class and code, 2-3 octets each), with opening and closing.
        n += std::max<std::size_t>(2 + value_estimate(spec.object.type, ref), 2 + 3 + 3);
    }
    return n;
}

std::size_t estimated_answer_size(std::span<const ReadAccessSpec> specs) {
    std::size_t n = kComplexAckHeader;
    for (const auto& s : specs) n += estimated_result_size(s);
    return n;
}

std::vector<std::vector<std::size_t>> plan_batches(std::span<const ReadAccessSpec> specs,
                                                   const BatchLimits& limits) {
    const std::size_t max_apdu = std::min(limits.max_apdu, kMaxApdu);
    const std::size_t max_specs = std::max<std::size_t>(limits.max_specs, 1);
    std::vector<std::vector<std::size_t>> batches;
    std::vector<std::size_t> current;
    const std::size_t empty_request = read_property_multiple_size({});
    std::size_t request = empty_request;
    std::size_t answer = kComplexAckHeader;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const std::size_t asked = read_access_spec_size(specs[i]);
        const std::size_t result = estimated_result_size(specs[i]);
        const bool fits = current.size() < max_specs && answer + result <= max_apdu &&
                          request + asked <= max_apdu;
        if (!current.empty() && !fits) {
            batches.push_back(std::move(current));
            current.clear();
            request = empty_request;
            answer = kComplexAckHeader;
        }
        current.push_back(i);
        request += asked;
        answer += result;
    }
    if (!current.empty()) batches.push_back(std::move(current));
    return batches;
}

}  // namespace lintel::bacnet
