// BACnet values to telemetry and back (see point_value.hpp).
#include "point_value.hpp"

#include <cmath>
#include <limits>
#include <variant>

namespace lintel::bacnet {
namespace {

std::unexpected<Error> mismatch(const PointConfig& point, std::string_view wanted) {
    return make_error("bacnet.type_mismatch", "point " + point.name + " (" +
                                                  object_id_text(point.object) + ") takes " +
                                                  std::string(wanted));
}

std::optional<double> number_of(const sdk::Value& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&value)) return *d;
    return std::nullopt;
}

}  // namespace

Expected<sdk::Value> telemetry_value(const PointConfig& point, const Values& values) {
    if (values.size() != 1) {
        return make_error("bacnet.not_telemetry",
                          "the device returned " + std::to_string(values.size()) +
                              " values; a point takes one (name an element with array_index)");
    }
    const Value& v = values.front();
    if (point.is_present_value() && object_kind(point.object.type) == ObjectKind::binary) {
        if (auto b = as_bool(v)) return sdk::Value{*b};
    }
    if (std::holds_alternative<Null>(v)) return sdk::Value{std::string("null")};
    if (const auto* bits = std::get_if<BitString>(&v)) {
        std::string text;
        for (bool bit : bits->bits) text += bit ? '1' : '0';
        return sdk::Value{text};
    }
    return to_sdk_value(v);
}

sdk::Quality quality_of(const std::optional<BitString>& status_flags) {
    if (!status_flags) return sdk::Quality::good;
    const auto& bits = status_flags->bits;
    auto set = [&](std::size_t i) { return i < bits.size() && bits[i]; };
    if (set(status_flag::fault)) return sdk::Quality::error;
    if (set(status_flag::out_of_service)) return sdk::Quality::stale;
    return sdk::Quality::good;
}

std::optional<BitString> status_flags_of(const Values& values) {
    if (values.size() != 1) return std::nullopt;
    if (const auto* bits = std::get_if<BitString>(&values.front())) return *bits;
    return std::nullopt;
}

std::string unit_text(std::uint32_t units) {
    if (units == units::no_units) return "";
    const std::string_view symbol = units_symbol(units);
    return symbol.empty() ? units_name(units) : std::string(symbol);
}

sdk::ValueKind write_kind(const PointConfig& point) {
    switch (object_kind(point.object.type)) {
        case ObjectKind::binary:
            return sdk::ValueKind::boolean;
        case ObjectKind::multistate:
            return sdk::ValueKind::integer;
        case ObjectKind::analog:
        case ObjectKind::other:
            break;
    }
    return sdk::ValueKind::real;
}

Expected<Value> write_value(const PointConfig& point, const sdk::Value& value) {
    switch (object_kind(point.object.type)) {
        case ObjectKind::binary: {
            if (const auto* b = std::get_if<bool>(&value)) return Value{Enumerated{*b ? 1U : 0U}};
            const auto n = number_of(value);
            if (n && (*n == 0 || *n == 1)) return Value{Enumerated{*n == 1 ? 1U : 0U}};
            return mismatch(point, "true/false (or 1/0): binary present-value is active/inactive");
        }
        case ObjectKind::multistate: {
            const auto n = number_of(value);
            if (!n || std::trunc(*n) != *n) return mismatch(point, "a whole number (the state)");
            if (*n < 1 || *n > 4294967295.0) {
                return make_error("bacnet.out_of_range",
                                  "point " + point.name + ": multi-state values start at 1, got " +
                                      std::to_string(static_cast<long long>(*n)));
            }
            return Value{static_cast<std::uint64_t>(*n)};
        }
        case ObjectKind::analog:
        case ObjectKind::other:
            break;
    }
    const auto n = number_of(value);
    if (!n) return mismatch(point, "a number");
    if (!std::isfinite(*n) || std::fabs(*n) > std::numeric_limits<float>::max()) {
        return make_error("bacnet.out_of_range", "point " + point.name + ": " + std::to_string(*n) +
                                                     " does not fit a BACnet REAL");
    }
    return Value{static_cast<float>(*n)};
}

std::uint32_t process_id_for(std::string_view device_name) {
    std::uint32_t h = 2166136261U;
    for (char c : device_name) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 16777619U;
    }
    // Small and non-zero: some devices store the process id in fewer than 32 bits.
    return (h % 4194303U) + 1U;
}

}  // namespace lintel::bacnet
