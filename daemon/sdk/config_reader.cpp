// Typed, strict reading of config maps, plus the scalar parsers for durations and sizes.
#include "lintel/config_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace lintel::sdk {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Splits "500ms" into 500 and "ms"; the number must be a non-negative integer or decimal.
bool split_number_suffix(std::string_view text, double& number, std::string_view& suffix,
                         std::string& why) {
    text = trim(text);
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == 0) {
        why = "expected a number followed by a unit, got \"" + std::string(text) + "\"";
        return false;
    }
    const std::string_view digits = text.substr(0, i);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || !std::isfinite(number)) {
        why = "\"" + std::string(digits) + "\" is not a number";
        return false;
    }
    suffix = trim(text.substr(i));
    return true;
}

}  // namespace

std::optional<bool> parse_bool(std::string_view text, std::string& why) {
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
    why = "expected true or false, got \"" + std::string(text) + "\"";
    return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text, std::string& why) {
    text = trim(text);
    std::int64_t value = 0;
    int base = 10;
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
        negative = digits.front() == '-';
        digits.remove_prefix(1);
    }
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    std::uint64_t magnitude = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (digits.empty() || ec != std::errc{} || ptr != digits.data() + digits.size()) {
        why = "expected an integer, got \"" + std::string(text) + "\"";
        return std::nullopt;
    }
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (magnitude > max + (negative ? 1U : 0U)) {
        why = "integer \"" + std::string(text) + "\" is out of range";
        return std::nullopt;
    }
    if (negative) {
        value = magnitude == max + 1U ? std::numeric_limits<std::int64_t>::min()
                                      : -static_cast<std::int64_t>(magnitude);
    } else {
        value = static_cast<std::int64_t>(magnitude);
    }
    return value;
}

std::optional<double> parse_double(std::string_view text, std::string& why) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() ||
        !std::isfinite(value)) {
        why = "expected a number, got \"" + std::string(text) + "\"";
        return std::nullopt;
    }
    return value;
}

std::optional<Duration> parse_duration(std::string_view text, std::string& why) {
    double number = 0;
    std::string_view suffix;
    if (!split_number_suffix(text, number, suffix, why)) return std::nullopt;
    double ms_per_unit = 0;
    if (suffix == "ms")
        ms_per_unit = 1;
    else if (suffix == "s")
        ms_per_unit = 1000;
    else if (suffix == "m" || suffix == "min")
        ms_per_unit = 60'000;
    else if (suffix == "h")
        ms_per_unit = 3'600'000;
    else if (suffix == "d")
        ms_per_unit = 86'400'000;
    else if (suffix.empty() && number == 0)
        ms_per_unit = 1;
    else {
        why = "duration \"" + std::string(trim(text)) +
              "\" needs a unit: ms, s, m, h or d (for example 500ms or 5s)";
        return std::nullopt;
    }
    const double ms = number * ms_per_unit;
    if (ms > 1e15) {
        why = "duration \"" + std::string(trim(text)) + "\" is too large";
        return std::nullopt;
    }
    if (ms != std::floor(ms)) {
        why = "duration \"" + std::string(trim(text)) + "\" is finer than a millisecond";
        return std::nullopt;
    }
    return Duration(static_cast<Duration::rep>(ms));
}

std::optional<std::uint64_t> parse_size(std::string_view text, std::string& why) {
    double number = 0;
    std::string_view suffix;
    if (!split_number_suffix(text, number, suffix, why)) return std::nullopt;
    double unit = 0;
    if (suffix.empty() || suffix == "B")
        unit = 1;
    else if (suffix == "KiB")
        unit = 1024.0;
    else if (suffix == "MiB")
        unit = 1024.0 * 1024;
    else if (suffix == "GiB")
        unit = 1024.0 * 1024 * 1024;
    else if (suffix == "KB" || suffix == "kB")
        unit = 1e3;
    else if (suffix == "MB")
        unit = 1e6;
    else if (suffix == "GB")
        unit = 1e9;
    else {
        why = "size \"" + std::string(trim(text)) +
              "\" has an unknown unit: use B, KiB, MiB, GiB, KB, MB or GB (for example 256MiB)";
        return std::nullopt;
    }
    const double bytes = number * unit;
    if (bytes > 1e18) {
        why = "size \"" + std::string(trim(text)) + "\" is too large";
        return std::nullopt;
    }
    if (bytes != std::floor(bytes)) {
        why = "size \"" + std::string(trim(text)) + "\" is not a whole number of bytes";
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(bytes);
}

std::string format_duration(Duration d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
    constexpr std::uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
    if (bytes != 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + "GiB";
    if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "MiB";
    if (bytes != 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "KiB";
    return std::to_string(bytes) + "B";
}

MapReader::MapReader(const ConfigNode& node, ConfigErrors& errors) : node_(node), errors_(errors) {
    if (!node.is_map() && !node.is_null()) {
        errors_.add(node, "expected a map of keys");
        ok_ = false;
    }
}

const ConfigNode* MapReader::child(std::string_view key, bool required) {
    known_.emplace_back(key);
    const ConfigNode* found = ok_ ? node_.find(key) : nullptr;
    if (found == nullptr && required && ok_) {
        const std::string path =
            node_.path.empty() ? std::string(key) : node_.path + "." + std::string(key);
        errors_.add(node_.mark, path, "required key is missing");
    }
    return found;
}

const ConfigNode* MapReader::scalar_child(std::string_view key, bool required) {
    const ConfigNode* n = child(key, required);
    if (n == nullptr) return nullptr;
    if (n->is_null() && !required) return nullptr;  // "key:" with no value means the default
    if (!n->is_scalar()) {
        errors_.add(*n, "expected a single value, not a list or map");
        return nullptr;
    }
    return n;
}

std::optional<std::string> MapReader::string(std::string_view key) {
    const ConfigNode* n = scalar_child(key, true);
    if (n == nullptr) return std::nullopt;
    return n->scalar;
}

std::string MapReader::string(std::string_view key, std::string fallback) {
    const ConfigNode* n = scalar_child(key, false);
    return n == nullptr ? fallback : n->scalar;
}

std::optional<std::string> MapReader::optional_string(std::string_view key) {
    const ConfigNode* n = scalar_child(key, false);
    if (n == nullptr) return std::nullopt;
    return n->scalar;
}

std::optional<std::string> MapReader::choice(std::string_view key,
                                             std::span<const std::string_view> allowed,
                                             std::optional<std::string_view> fallback) {
    const ConfigNode* n = scalar_child(key, !fallback.has_value());
    if (n == nullptr)
        return fallback ? std::optional<std::string>(std::string(*fallback)) : std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), n->scalar) != allowed.end()) return n->scalar;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    errors_.add(*n, "\"" + n->scalar + "\" is not one of: " + list);
    return std::nullopt;
}

std::optional<bool> MapReader::boolean(std::string_view key) {
    const ConfigNode* n = scalar_child(key, true);
    if (n == nullptr) return std::nullopt;
    std::string why;
    auto v = parse_bool(n->scalar, why);
    if (!v) errors_.add(*n, why);
    return v;
}

bool MapReader::boolean(std::string_view key, bool fallback) {
    const ConfigNode* n = scalar_child(key, false);
    if (n == nullptr) return fallback;
    std::string why;
    auto v = parse_bool(n->scalar, why);
    if (!v) errors_.add(*n, why);
    return v.value_or(fallback);
}

std::optional<std::int64_t> MapReader::integer(std::string_view key, std::int64_t min,
                                               std::int64_t max) {
    const ConfigNode* n = scalar_child(key, true);
    if (n == nullptr) return std::nullopt;
    std::string why;
    auto v = parse_int(n->scalar, why);
    if (!v) {
        errors_.add(*n, why);
        return std::nullopt;
    }
    if (*v < min || *v > max) {
        errors_.add(*n, std::to_string(*v) + " is out of range [" + std::to_string(min) + ", " +
                            std::to_string(max) + "]");
        return std::nullopt;
    }
    return v;
}

std::int64_t MapReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) {
    if (scalar_child(key, false) == nullptr) return fallback;
    known_.pop_back();  // integer() below marks it again
    return integer(key, min, max).value_or(fallback);
}

std::optional<double> MapReader::number(std::string_view key) {
    const ConfigNode* n = scalar_child(key, true);
    if (n == nullptr) return std::nullopt;
    std::string why;
    auto v = parse_double(n->scalar, why);
    if (!v) errors_.add(*n, why);
    return v;
}

double MapReader::number(std::string_view key, double fallback) {
    if (scalar_child(key, false) == nullptr) return fallback;
    known_.pop_back();
    return number(key).value_or(fallback);
}

Duration MapReader::duration(std::string_view key, Duration fallback, Duration min, Duration max) {
    const ConfigNode* n = scalar_child(key, false);
    if (n == nullptr) return fallback;
    std::string why;
    auto v = parse_duration(n->scalar, why);
    if (!v) {
        errors_.add(*n, why);
        return fallback;
    }
    if (*v < min || *v > max) {
        errors_.add(*n, format_duration(*v) + " is out of range [" + format_duration(min) + ", " +
                            format_duration(max) + "]");
        return fallback;
    }
    return *v;
}

std::uint64_t MapReader::size(std::string_view key, std::uint64_t fallback, std::uint64_t min,
                              std::uint64_t max) {
    const ConfigNode* n = scalar_child(key, false);
    if (n == nullptr) return fallback;
    std::string why;
    auto v = parse_size(n->scalar, why);
    if (!v) {
        errors_.add(*n, why);
        return fallback;
    }
    if (*v < min || *v > max) {
        errors_.add(*n, format_size(*v) + " is out of range [" + format_size(min) + ", " +
                            format_size(max) + "]");
        return fallback;
    }
    return *v;
}

void MapReader::finish() {
    if (!ok_ || !node_.is_map()) return;
    for (const auto& entry : node_.entries) {
        if (std::find(known_.begin(), known_.end(), entry.key) == known_.end()) {
            const Mark& at = entry.key_mark.line != 0 ? entry.key_mark : entry.value.mark;
            errors_.add(at, entry.value.path, "unknown key \"" + entry.key + "\"");
        }
    }
}

}  // namespace lintel::sdk
