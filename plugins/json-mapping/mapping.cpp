// Strict reading of a point's mapping keys, and the inverse mapping used by writes.
#include "mapping.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace lintel::jsonmap {
namespace {

using sdk::ConfigNode;
using sdk::MapReader;

constexpr std::array<std::string_view, 4> k_types{"bool", "int", "float", "string"};

bool numeric(ValueType t) { return t == ValueType::integer || t == ValueType::real; }

std::unexpected<Error> type_error(const PointMapping& m, std::string_view got) {
    return make_error("write.type", "point " + m.name + " takes a " +
                                        std::string(to_string(m.published_type())) +
                                        " value, not " + std::string(got));
}

std::string_view kind_name(const sdk::Value& v) {
    switch (v.index()) {
        case 0:
            return "a bool";
        case 1:
            return "an int";
        case 2:
            return "a float";
        default:
            return "a string";
    }
}

}  // namespace

std::string_view to_string(ValueType t) { return k_types[static_cast<std::size_t>(t)]; }

const ConfigNode& key_node(const MapReader& r, std::string_view key) {
    const ConfigNode* n = r.node().find(key);
    return n != nullptr ? *n : r.node();
}

void read_points(
    MapReader& device,
    const std::function<void(MapReader&, const std::optional<PointMapping>&)>& read_rest,
    const std::function<void(PointMapping, const ConfigNode&)>& accept) {
    sdk::ConfigErrors& errors = device.errors();
    const ConfigNode* points = device.child("points", true);
    if (points == nullptr) return;
    if (!points->is_sequence()) {
        errors.add(*points, "expected a list of points");
        return;
    }
    if (points->items.empty()) errors.add(*points, "at least one point is required");
    std::vector<std::string> names;
    for (const ConfigNode& item : points->items) {
        MapReader p(item, errors);
        if (!p.ok()) continue;
        const std::size_t before = errors.size();
        auto mapping = read_mapping(p);
        read_rest(p, mapping);
        p.finish();
        if (!mapping || errors.size() != before) continue;
        if (std::find(names.begin(), names.end(), mapping->name) != names.end()) {
            errors.add(key_node(p, "name"),
                       "point name \"" + mapping->name + "\" is used twice in this device");
            continue;
        }
        names.push_back(mapping->name);
        accept(std::move(*mapping), item);
    }
}

std::optional<std::string> check_pointer(std::string_view pointer) {
    if (pointer.empty()) return std::nullopt;
    if (pointer.front() != '/')
        return "a JSON pointer starts with \"/\" (e.g. /data/temp), got \"" + std::string(pointer) +
               "\"";
    for (std::size_t i = 0; i < pointer.size(); ++i) {
        if (pointer[i] != '~') continue;
        if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))
            return "\"~\" in a JSON pointer must be written ~0 (and \"/\" inside a key ~1)";
    }
    return std::nullopt;
}

std::optional<PointMapping> read_mapping(MapReader& r) {
    sdk::ConfigErrors& errors = r.errors();
    const std::size_t before = errors.size();
    PointMapping m;
    m.name = r.string("name").value_or("");
    if (r.has("name") && m.name.empty())
        errors.add(key_node(r, "name"), "point name must not be empty");

    if (auto pointer = r.string("pointer")) {
        m.pointer = *pointer;
        if (auto why = check_pointer(m.pointer)) errors.add(key_node(r, "pointer"), *why);
    }
    const auto type = r.choice("type", k_types, "float");
    if (type) {
        for (std::size_t i = 0; i < k_types.size(); ++i) {
            if (k_types[i] == *type) m.type = static_cast<ValueType>(i);
        }
    }
    m.from_text = r.boolean("from_text", false);
    if (m.from_text && type && m.type == ValueType::string)
        errors.add(key_node(r, "from_text"), "from_text applies to bool, int and float points");

    for (std::string_view key : {"scale", "offset"}) {
        if (r.has(key) && type && !numeric(m.type)) {
            r.child(key);
            errors.add(key_node(r, key),
                       std::string(key) + " applies only to int and float points");
        }
    }
    m.scale = r.number("scale", 1.0);
    if (m.scale == 0) errors.add(key_node(r, "scale"), "scale must not be 0");
    m.offset = r.number("offset", 0.0);
    m.unit = r.string("unit", "");

    if (auto ts = r.optional_string("timestamp")) {
        m.timestamp = *ts;
        if (auto why = check_pointer(*ts)) errors.add(key_node(r, "timestamp"), *why);
    }

    m.writable = r.boolean("writable", false);
    for (std::string_view key : {"min", "max"}) {
        if (!r.has(key)) continue;
        std::optional<double> limit = r.number(key);
        if (!limit) continue;
        if (!m.writable) {
            errors.add(key_node(r, key),
                       std::string(key) + " is a write limit; it needs writable: true");
        } else if (type && !numeric(m.type)) {
            errors.add(key_node(r, key),
                       std::string(key) + " applies only to int and float points");
        }
        (key == "min" ? m.min : m.max) = limit;
    }
    if (m.min && m.max && *m.min > *m.max) errors.add(key_node(r, "max"), "max is below min");
    if (errors.size() != before) return std::nullopt;
    return m;
}

Expected<sdk::Value> to_device_value(const PointMapping& m, const sdk::Value& value) {
    if (!m.writable) return make_error("write.not_writable", "point " + m.name + " is read-only");
    switch (m.type) {
        case ValueType::boolean:
            if (const bool* b = std::get_if<bool>(&value)) return sdk::Value{*b};
            return type_error(m, kind_name(value));
        case ValueType::string:
            if (const auto* s = std::get_if<std::string>(&value)) return sdk::Value{*s};
            return type_error(m, kind_name(value));
        case ValueType::integer:
        case ValueType::real:
            break;
    }
    double v = 0;
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        v = static_cast<double>(*i);
    } else if (const double* d = std::get_if<double>(&value)) {
        v = *d;
    } else {
        return type_error(m, kind_name(value));
    }
    if (!std::isfinite(v)) return make_error("write.range", "value is not a finite number");
    if ((m.min && v < *m.min) || (m.max && v > *m.max)) {
        return make_error("write.range", "value " + std::to_string(v) + " for point " + m.name +
                                             " is outside its limits");
    }
    if (m.is_exact_integer()) {
        if (const auto* i = std::get_if<std::int64_t>(&value)) return sdk::Value{*i};
        if (v != std::trunc(v)) return type_error(m, "a fraction");
    }
    const double raw = (v - m.offset) / m.scale;
    if (m.type == ValueType::real) return sdk::Value{raw};
    const double rounded = std::round(raw);
    // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
    if (!std::isfinite(rounded) || rounded >= 9223372036854775808.0 ||
        rounded < -9223372036854775808.0) {
        return make_error("write.range", "value for point " + m.name + " does not fit an int");
    }
    return sdk::Value{static_cast<std::int64_t>(rounded)};
}

}  // namespace lintel::jsonmap
