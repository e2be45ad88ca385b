// Text, JSON and numeric views of decoded BACnet values (see value.hpp).
#include "value.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/utf8.hpp"
#include "reader.hpp"

namespace lintel::bacnet {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 16 has no aggregate deduction yet

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 0x0F];
    }
    return out;
}

// Shortest text that reads back as the same number.
template <typename F>
std::string real_text(F v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

std::string field(std::uint8_t v, int width) {
    if (v == kUnspecified) return "*";
    std::string s = std::to_string(v);
    while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
    return s;
}

std::string date_text(const Date& d) {
    const std::string year = d.year_since_1900 == kUnspecified
                                 ? std::string("*")
                                 : std::to_string(1900 + d.year_since_1900);
    return year + "-" + field(d.month, 2) + "-" + field(d.day, 2);
}

std::string time_text(const Time& t) {
    return field(t.hour, 2) + ":" + field(t.minute, 2) + ":" + field(t.second, 2) + "." +
           field(t.hundredths, 2);
}

std::string bits_text(const BitString& b) {
    std::string out;
    for (bool bit : b.bits) out += bit ? '1' : '0';
    return out;
}

void json_string(std::string& out, std::string_view s) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = common::utf8_sequence_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
            ++i;
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            out += "\\u00";
            out += kDigits[c >> 4];
            out += kDigits[c & 0x0F];
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    out += '"';
}

template <typename F>
std::string json_real(F v) {
    return std::isfinite(v) ? real_text(v) : std::string("null");
}

void append_json(std::string& out, const Value& value);

void append_json_list(std::string& out, const std::vector<Value>& values) {
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        append_json(out, values[i]);
    }
    out += ']';
}

void append_json(std::string& out, const Value& value) {
    std::visit(Overloaded{
                   [&](const Null&) { out += "null"; },
                   [&](bool v) { out += v ? "true" : "false"; },
                   [&](std::uint64_t v) { out += std::to_string(v); },
                   [&](std::int64_t v) { out += std::to_string(v); },
                   [&](float v) { out += json_real(v); },
                   [&](double v) { out += json_real(v); },
                   [&](const OctetString& v) { json_string(out, hex(v.bytes)); },
                   [&](const std::string& v) { json_string(out, v); },
                   [&](const BitString& v) {
                       out += '[';
                       for (std::size_t i = 0; i < v.bits.size(); ++i) {
                           if (i > 0) out += ',';
                           out += v.bits[i] ? "true" : "false";
                       }
                       out += ']';
                   },
                   [&](const Enumerated& v) { out += std::to_string(v.value); },
                   [&](const Date& v) { json_string(out, date_text(v)); },
                   [&](const Time& v) { json_string(out, time_text(v)); },
                   [&](const ObjectId& v) {
                       out += "{\"type\":";
                       json_string(out, object_type_name(v.type));
                       out += ",\"instance\":" + std::to_string(v.instance) + "}";
                   },
                   [&](const ContextValue& v) {
                       out += "{\"tag\":" + std::to_string(v.tag) + ",\"hex\":";
                       json_string(out, hex(v.data));
                       out += '}';
                   },
                   [&](const Constructed& v) {
                       out += "{\"tag\":" + std::to_string(v.tag) + ",\"values\":";
                       append_json_list(out, v.items);
                       out += '}';
                   },
               },
               static_cast<const ValueVariant&>(value));
}

}  // namespace

bool Constructed::operator==(const Constructed& other) const {
    return tag == other.tag && items == other.items;
}

std::string to_text(const ObjectId& id) {
    return object_type_name(id.type) + "," + std::to_string(id.instance);
}

std::string to_text(const Value& value) {
    return std::visit(
        Overloaded{
            [](const Null&) { return std::string("null"); },
            [](bool v) { return std::string(v ? "true" : "false"); },
            [](std::uint64_t v) { return std::to_string(v); },
            [](std::int64_t v) { return std::to_string(v); },
            [](float v) { return real_text(v); },
            [](double v) { return real_text(v); },
            [](const OctetString& v) { return hex(v.bytes); },
            [](const std::string& v) { return v; },
            [](const BitString& v) { return bits_text(v); },
            [](const Enumerated& v) { return std::to_string(v.value); },
            [](const Date& v) { return date_text(v); },
            [](const Time& v) { return time_text(v); },
            [](const ObjectId& v) { return to_text(v); },
            [](const ContextValue& v) { return "[" + std::to_string(v.tag) + "]" + hex(v.data); },
            [](const Constructed& v) {
                std::string out = "{[" + std::to_string(v.tag) + "]";
                for (const Value& item : v.items) out += " " + to_text(item);
                return out + "}";
            },
        },
        static_cast<const ValueVariant&>(value));
}

std::string to_text(const Values& values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ", ";
        out += to_text(values[i]);
    }
    return out;
}

std::string to_json(const Value& value) {
    std::string out;
    append_json(out, value);
    return out;
}

std::string to_json(const Values& values) {
    if (values.size() == 1) return to_json(values.front());
    std::string out;
    append_json_list(out, values);
    return out;
}

std::optional<double> as_double(const Value& value) {
    if (auto v = as_int64(value)) return static_cast<double>(*v);
    if (const auto* u = std::get_if<std::uint64_t>(&value)) return static_cast<double>(*u);
    if (const auto* f = std::get_if<float>(&value)) return static_cast<double>(*f);
    if (const auto* d = std::get_if<double>(&value)) return *d;
    return std::nullopt;
}

std::optional<std::int64_t> as_int64(const Value& value) {
    if (const auto* b = std::get_if<bool>(&value)) return *b ? 1 : 0;
    if (const auto* s = std::get_if<std::int64_t>(&value)) return *s;
    if (const auto* e = std::get_if<Enumerated>(&value)) return e->value;
    if (const auto* u = std::get_if<std::uint64_t>(&value)) {
        if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return static_cast<std::int64_t>(*u);
        }
    }
    return std::nullopt;
}

std::optional<bool> as_bool(const Value& value) {
    if (const auto* b = std::get_if<bool>(&value)) return *b;
    if (std::holds_alternative<float>(value) || std::holds_alternative<double>(value)) {
        return std::nullopt;
    }
    auto v = as_int64(value);
    if (v && (*v == 0 || *v == 1)) return *v == 1;
    return std::nullopt;
}

Expected<sdk::Value> to_sdk_value(const Value& value) {
    if (const auto* b = std::get_if<bool>(&value)) return sdk::Value{*b};
    if (const auto* s = std::get_if<std::string>(&value)) return sdk::Value{*s};
    if (std::holds_alternative<float>(value) || std::holds_alternative<double>(value)) {
        const double d = *as_double(value);
        if (!std::isfinite(d)) {
            return make_error("bacnet.not_telemetry",
                              "value " + real_text(d) + " is not a finite number");
        }
        return sdk::Value{d};
    }
    if (auto i = as_int64(value)) return sdk::Value{*i};
    if (auto d = as_double(value)) return sdk::Value{*d};  // Unsigned above INT64_MAX
    return make_error("bacnet.not_telemetry",
                      "a " + std::string(type_name(value)) + " value has no telemetry form");
}

std::string_view type_name(const Value& value) {
    // The variant lists the application types in tag order (NULL = 0 .. ObjectIdentifier = 12).
    static_assert(std::is_same_v<std::variant_alternative_t<4, ValueVariant>, float>);
    static_assert(std::is_same_v<std::variant_alternative_t<12, ValueVariant>, ObjectId>);
    if (std::holds_alternative<ContextValue>(value)) return "context-tagged value";
    if (std::holds_alternative<Constructed>(value)) return "constructed value";
    return application_tag_name(static_cast<std::uint8_t>(value.index()));
}

}  // namespace lintel::bacnet
