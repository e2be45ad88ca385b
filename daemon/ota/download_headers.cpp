// Content-Range parsing and If-Range validator choice (no asio: the fuzzer builds it).
#include "ota/download_headers.hpp"

#include <algorithm>
#include <cctype>

namespace lintel::ota {
namespace {

constexpr std::size_t k_max_header_value = 512;

// Decimal digits only, no sign, no overflow.
bool take_number(std::string_view& text, std::uint64_t& out) {
    std::size_t i = 0;
    std::uint64_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) return false;
        value = value * 10 + digit;
        ++i;
    }
    if (i == 0) return false;
    text.remove_prefix(i);
    out = value;
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool printable_line(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
    value = trim(value);
    constexpr std::string_view unit = "bytes ";
    if (value.size() < unit.size()) return std::nullopt;
    for (std::size_t i = 0; i < unit.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(value[i])) != unit[i]) return std::nullopt;
    }
    value.remove_prefix(unit.size());
    ContentRange range;
    if (!take_number(value, range.first)) return std::nullopt;
    if (value.empty() || value.front() != '-') return std::nullopt;
    value.remove_prefix(1);
    if (!take_number(value, range.last) || range.last < range.first) return std::nullopt;
    if (value.empty() || value.front() != '/') return std::nullopt;
    value.remove_prefix(1);
    if (value == "*") return range;
    std::uint64_t complete = 0;
    if (!take_number(value, complete) || !value.empty() || complete <= range.last)
        return std::nullopt;
    range.complete_size = complete;
    return range;
}

bool is_strong_etag(std::string_view etag) {
    return etag.size() >= 2 && etag.size() <= k_max_header_value && etag.front() == '"' &&
           etag.back() == '"' && printable_line(etag) &&
           etag.substr(1, etag.size() - 2).find('"') == std::string_view::npos;
}

std::string if_range_validator(std::string_view etag, std::string_view last_modified) {
    if (is_strong_etag(etag)) return std::string(etag);
    return storable_header_value(last_modified);
}

std::string storable_header_value(std::string_view value) {
    value = trim(value);
    if (value.size() > k_max_header_value || !printable_line(value)) return {};
    return std::string(value);
}

}  // namespace lintel::ota
