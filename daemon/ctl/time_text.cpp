// Parsing and formatting of times and durations for lintelctl.
#include "ctl/time_text.hpp"

#include <cctype>
#include <ctime>
#include <limits>

#include <fmt/format.h>

namespace lintel::ctl {
namespace {

using std::chrono::milliseconds;

// Nothing lintelctl asks for is longer; also keeps every sum far from overflow.
constexpr std::int64_t k_max_ms = std::int64_t{100} * 365 * 24 * 3600 * 1000;

std::unexpected<Error> usage(std::string message) {
    return make_error("ctl.usage", std::move(message));
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (!digit(text[pos + i])) return false;
        out = out * 10 + (text[pos + i] - '0');
    }
    pos += count;
    return true;
}

}  // namespace

Expected<milliseconds> parse_duration(std::string_view text, milliseconds bare_unit) {
    const std::string shown(text.substr(0, 40));
    auto bad = [&] {
        return usage("\"" + shown + "\" is not a duration (examples: 500ms, 5s, 15m, 1h30m, 2d)");
    };
    if (text.empty()) return bad();
    std::int64_t total = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::int64_t number = 0;
        const std::size_t start = pos;
        while (pos < text.size() && digit(text[pos])) {
            number = number * 10 + (text[pos] - '0');
            if (number > k_max_ms) return bad();
            ++pos;
        }
        if (pos == start) return bad();
        std::size_t unit_start = pos;
        while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
        const std::string_view unit = text.substr(unit_start, pos - unit_start);
        std::int64_t scale = 0;
        if (unit.empty()) {
            // A bare number only as the whole text ("5"), never inside a sum ("1h30").
            if (start != 0 || pos != text.size() || bare_unit.count() == 0) return bad();
            scale = bare_unit.count();
        } else if (unit == "ms") {
            scale = 1;
        } else if (unit == "s") {
            scale = 1000;
        } else if (unit == "m" || unit == "min") {
            scale = 60 * 1000;
        } else if (unit == "h") {
            scale = 3600 * 1000;
        } else if (unit == "d") {
            scale = 24 * 3600 * 1000;
        } else if (unit == "w") {
            scale = 7 * 24 * 3600 * 1000;
        } else {
            return bad();
        }
        if (number > k_max_ms / scale) return bad();
        total += number * scale;
        if (total > k_max_ms) return bad();
    }
    return milliseconds(total);
}

Expected<std::int64_t> parse_timestamp(std::string_view text) {
    const std::string shown(text.substr(0, 40));
    auto bad = [&] {
        return usage("\"" + shown +
                     "\" is not a time (examples: 2026-11-21T10:00:00Z, 2026-11-21T12:00:00+02:00, "
                     "2026-11-21)");
    };
    std::size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-' ||
        !read_digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
        !read_digits(text, pos, 2, day)) {
        return bad();
    }
    std::int64_t millis = 0;
    std::int64_t offset_s = 0;
    if (pos < text.size()) {
        const char sep = text[pos++];
        if (sep != 'T' && sep != 't' && sep != ' ') return bad();
        if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
            !read_digits(text, pos, 2, minute) || pos >= text.size() || text[pos++] != ':' ||
            !read_digits(text, pos, 2, second)) {
            return bad();
        }
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            const std::size_t start = pos;
            std::int64_t scale = 100;
            while (pos < text.size() && digit(text[pos])) {
                millis += (text[pos] - '0') * scale;
                scale /= 10;
                ++pos;
            }
            if (pos == start) return bad();
        }
        if (pos >= text.size()) return bad();  // a time needs its zone: Z or an offset
        const char zone = text[pos++];
        if (zone == 'Z' || zone == 'z') {
            if (pos != text.size()) return bad();
        } else if (zone == '+' || zone == '-') {
            int oh = 0, om = 0;
            if (!read_digits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' ||
                !read_digits(text, pos, 2, om) || pos != text.size() || oh > 23 || om > 59) {
                return bad();
            }
            offset_s = (zone == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        } else {
            return bad();
        }
    }
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year},
                              std::chrono::month{static_cast<unsigned>(month)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return bad();
    const auto days = sys_days(date).time_since_epoch().count();
    const std::int64_t seconds =
        std::int64_t{days} * 86400 + hour * 3600 + minute * 60 + second - offset_s;
    return seconds * 1000 + millis;
}

Expected<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms) {
    if (!text.empty() && digit(text[0]) && text.find('-') == std::string_view::npos) {
        auto back = parse_duration(text);
        if (!back) return std::unexpected(back.error());
        return std::max<std::int64_t>(0, now_ms - back->count());
    }
    auto at = parse_timestamp(text);
    if (!at) {
        return usage("--since \"" + std::string(text.substr(0, 40)) +
                     "\" is neither a duration (1h, 30m, 2d) nor a time (2026-11-21T10:00:00Z)");
    }
    return std::max<std::int64_t>(0, *at);
}

std::string format_timestamp(std::int64_t unix_ms) {
    const auto seconds =
        static_cast<std::time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
    std::tm tm{};
    if (::gmtime_r(&seconds, &tm) == nullptr) return std::to_string(unix_ms);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string format_uptime(std::int64_t seconds) {
    if (seconds < 0) seconds = 0;
    const std::int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
                       s = seconds % 60;
    if (d > 0) return fmt::format("{}d {}h {}m", d, h, m);
    if (h > 0) return fmt::format("{}h {}m", h, m);
    if (m > 0) return fmt::format("{}m {}s", m, s);
    return fmt::format("{}s", s);
}

std::string format_bytes(std::uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    constexpr const char* k_units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(k_units)) {
        value /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, k_units[unit]);
}

std::string format_timeout(milliseconds ms) {
    const auto count = ms.count();
    if (count % 60000 == 0 && count >= 60000) return fmt::format("{} min", count / 60000);
    if (count % 1000 == 0) return fmt::format("{} s", count / 1000);
    return fmt::format("{} ms", count);
}

}  // namespace lintel::ctl
