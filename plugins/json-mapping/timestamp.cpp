// Unix numbers and RFC 3339 text to Unix milliseconds, without the C library's time zone state.
#include "timestamp.hpp"

#include <cmath>

namespace lintel::jsonmap {
namespace {

constexpr std::int64_t k_max_ms = 253402300799999;  // 9999-12-31T23:59:59.999Z

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
    constexpr unsigned k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : k_days[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<unsigned>(c - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<std::int64_t> unix_number_to_ms(double number) {
    if (!std::isfinite(number) || number < 0) return std::nullopt;
    const double ms = number < k_ms_threshold ? number * 1000.0 : number;
    if (ms > static_cast<double>(k_max_ms)) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(ms));
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
    std::size_t pos = 0;
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
        !expect(s, pos, '-') || !digits(s, pos, 2, day)) {
        return std::nullopt;
    }
    if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
    ++pos;
    if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
        !expect(s, pos, ':') || !digits(s, pos, 2, second)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 60) {
        return std::nullopt;
    }
    if (second == 60) second = 59;  // a leap second: Unix time has none
    unsigned millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::size_t n = 0;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
            if (n < 3) millis = millis * 10 + static_cast<unsigned>(s[pos] - '0');
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) millis *= 10;
    }
    std::int64_t offset_min = 0;
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const bool negative = s[pos] == '-';
        ++pos;
        unsigned oh = 0, om = 0;
        if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 ||
            om > 59) {
            return std::nullopt;
        }
        offset_min = (negative ? -1 : 1) * static_cast<std::int64_t>(oh * 60 + om);
    } else {
        return std::nullopt;  // RFC 3339 requires the offset: local time is ambiguous
    }
    if (pos != s.size()) return std::nullopt;
    const std::int64_t days = days_from_civil(year, month, day);
    const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    const std::int64_t ms = secs * 1000 + millis;
    if (ms < 0 || ms > k_max_ms) return std::nullopt;
    return ms;
}

}  // namespace lintel::jsonmap
