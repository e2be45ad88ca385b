// Payload → point values: strict JSON parse, RFC 6901 lookup, type check, scale and timestamp.
#include "extract.hpp"

#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "common/strict_json.hpp"
#include "lintel/config_reader.hpp"
#include "timestamp.hpp"

namespace lintel::jsonmap {
namespace {

using nlohmann::json;

// RFC 6901 lookup without exceptions; nullptr when any step is missing. An array index is
// decimal digits without a leading zero ("-", the past-the-end index, never names a value).
const json* lookup(const json& doc, std::string_view pointer) {
    const json* at = &doc;
    std::size_t pos = 0;
    while (pos < pointer.size()) {
        ++pos;  // the '/' (check_pointer made sure it is one)
        const std::size_t end = std::min(pointer.find('/', pos), pointer.size());
        std::string token;
        for (std::size_t i = pos; i < end; ++i) {
            if (pointer[i] == '~' && i + 1 < end) {
                token += pointer[i + 1] == '1' ? '/' : '~';
                ++i;
            } else {
                token += pointer[i];
            }
        }
        pos = end;
        if (at->is_object()) {
            auto it = at->find(token);
            if (it == at->end()) return nullptr;
            at = &*it;
        } else if (at->is_array()) {
            if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0'))
                return nullptr;
            std::size_t index = 0;
            for (char c : token) {
                if (c < '0' || c > '9') return nullptr;
                index = index * 10 + static_cast<std::size_t>(c - '0');
            }
            if (index >= at->size()) return nullptr;
            at = &(*at)[index];
        } else {
            return nullptr;
        }
    }
    return at;
}

std::string json_kind(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a bool";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return "an int";
        case json::value_t::number_float:
            return "a float";
        case json::value_t::string:
            return "a string";
        case json::value_t::array:
            return "an array";
        default:
            return "an object";
    }
}

std::string where(const PointMapping& m) { return m.pointer.empty() ? "(document)" : m.pointer; }

Error wrong_type(const PointMapping& m, const json& v) {
    std::string text = "value at " + where(m) + " is " + json_kind(v) + ", expected " +
                       std::string(to_string(m.type));
    if (v.is_string() && m.type != ValueType::string && !m.from_text)
        text += " (set from_text: true to accept values sent as text)";
    return Error{"mapping.wrong_type", text};
}

// The raw value as the mapping's type, before scaling.
Expected<sdk::Value> read_raw(const PointMapping& m, const json& v) {
    std::string why;
    if (v.is_string() && m.from_text) {
        const std::string& text = v.get_ref<const std::string&>();
        if (m.type == ValueType::boolean) {
            if (auto b = sdk::parse_bool(text, why)) return sdk::Value{*b};
        } else if (m.type == ValueType::integer) {
            if (auto i = sdk::parse_int(text, why)) return sdk::Value{*i};
        } else if (auto d = sdk::parse_double(text, why)) {
            return sdk::Value{*d};
        }
        return make_error("mapping.wrong_type", "text at " + where(m) + " is not a " +
                                                    std::string(to_string(m.type)) + ": " +
                                                    common::printable(why));
    }
    switch (m.type) {
        case ValueType::boolean:
            if (v.is_boolean()) return sdk::Value{v.get<bool>()};
            break;
        case ValueType::string:
            if (v.is_string()) return sdk::Value{v.get<std::string>()};
            break;
        case ValueType::integer:
            if (v.is_number_unsigned()) {
                const auto u = v.get<std::uint64_t>();
                if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                    return make_error("mapping.out_of_range",
                                      "value at " + where(m) + " does not fit a 64-bit int");
                }
                return sdk::Value{static_cast<std::int64_t>(u)};
            }
            if (v.is_number_integer()) return sdk::Value{v.get<std::int64_t>()};
            // 21.0 is an int written by a device that only has floats; 21.5 is not.
            if (v.is_number_float()) {
                const double d = v.get<double>();
                if (d == std::trunc(d) && d >= -9223372036854775808.0 &&
                    d < 9223372036854775808.0) {
                    return sdk::Value{static_cast<std::int64_t>(d)};
                }
            }
            break;
        case ValueType::real:
            if (v.is_number()) return sdk::Value{v.get<double>()};
            break;
    }
    return std::unexpected(wrong_type(m, v));
}

Expected<sdk::Value> to_engineering(const PointMapping& m, sdk::Value raw) {
    if (m.type != ValueType::integer && m.type != ValueType::real) return raw;
    if (m.is_exact_integer()) return raw;
    const double v = std::holds_alternative<std::int64_t>(raw)
                         ? static_cast<double>(std::get<std::int64_t>(raw))
                         : std::get<double>(raw);
    const double scaled = v * m.scale + m.offset;
    if (!std::isfinite(scaled))
        return make_error("mapping.out_of_range", "value at " + where(m) + " overflows");
    return sdk::Value{scaled};
}

Expected<std::int64_t> read_timestamp(const json& doc, const PointMapping& m) {
    const std::string& pointer = *m.timestamp;
    const json* t = lookup(doc, pointer);
    if (t == nullptr) return make_error("mapping.bad_timestamp", "no timestamp at " + pointer);
    if (t->is_number()) {
        if (auto ms = unix_number_to_ms(t->get<double>())) return *ms;
        return make_error("mapping.bad_timestamp",
                          "timestamp at " + pointer + " is not a Unix time in s or ms");
    }
    if (t->is_string()) {
        if (auto ms = parse_rfc3339_ms(t->get_ref<const std::string&>())) return *ms;
        return make_error("mapping.bad_timestamp",
                          "timestamp at " + pointer + " is not RFC 3339 text: \"" +
                              common::printable(t->get_ref<const std::string&>(), 40) + "\"");
    }
    return make_error("mapping.bad_timestamp",
                      "timestamp at " + pointer + " is " + json_kind(*t) + ", not a time");
}

Extraction failed(const PointMapping& m, std::string_view device, std::int64_t now_ms,
                  Error error) {
    Extraction e;
    e.value = sdk::PointValue{std::string(device), m.name, zero_value(m), m.unit,
                              sdk::Quality::error, now_ms};
    e.error = std::move(error);
    return e;
}

Extraction extract_one(const json& doc, const PointMapping& m, std::string_view device,
                       std::int64_t now_ms) {
    const json* v = lookup(doc, m.pointer);
    if (v == nullptr)
        return failed(m, device, now_ms, Error{"mapping.missing", "no value at " + where(m)});
    auto raw = read_raw(m, *v);
    if (!raw) return failed(m, device, now_ms, raw.error());
    auto value = to_engineering(m, std::move(*raw));
    if (!value) return failed(m, device, now_ms, value.error());
    std::int64_t ts = now_ms;
    if (m.timestamp) {
        auto t = read_timestamp(doc, m);
        if (!t) return failed(m, device, now_ms, t.error());
        ts = *t;
    }
    Extraction e;
    e.value = sdk::PointValue{std::string(device), m.name, std::move(*value), m.unit,
                              sdk::Quality::good,  ts};
    return e;
}

}  // namespace

sdk::Value zero_value(const PointMapping& m) {
    switch (m.published_type()) {
        case ValueType::boolean:
            return false;
        case ValueType::integer:
            return std::int64_t{0};
        case ValueType::real:
            return 0.0;
        case ValueType::string:
            break;
    }
    return std::string();
}

std::vector<Extraction> extract(std::string_view payload, std::span<const PointMapping> mappings,
                                std::string_view device, std::int64_t now_ms) {
    std::vector<Extraction> out;
    out.reserve(mappings.size());
    auto doc = common::parse_strict_json(payload, "payload", "mapping.not_json", k_max_nesting);
    for (const PointMapping& m : mappings) {
        if (!doc) {
            out.push_back(failed(m, device, now_ms, doc.error()));
            continue;
        }
        try {
            out.push_back(extract_one(*doc, m, device, now_ms));
        } catch (const std::exception& e) {
            // nlohmann throws only on misuse; should it ever, the point fails, not the plugin.
            out.push_back(failed(m, device, now_ms, Error{"mapping.wrong_type", e.what()}));
        }
    }
    return out;
}

}  // namespace lintel::jsonmap
