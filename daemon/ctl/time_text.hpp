// Times and durations as operators type and read them: "5s", "1h30m", "2026-11-21T10:00:00Z".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::ctl {

// "500ms", "5s", "15m", "1h", "2d", "1w" and sums like "1h30m". `bare_unit` is what a bare
// number means ("5" → 5 s for --timeout), or zero to refuse bare numbers. Errors: ctl.usage.
Expected<std::chrono::milliseconds> parse_duration(
    std::string_view text, std::chrono::milliseconds bare_unit = std::chrono::milliseconds(0));

// RFC 3339 ("2026-11-21T10:00:00Z", "2026-11-21T12:00:00.5+02:00"; a space for the T and a date
// alone, meaning midnight UTC, are accepted too) → Unix ms. Errors: ctl.usage.
Expected<std::int64_t> parse_timestamp(std::string_view text);

// --since: a duration back from `now_ms` ("1h") or a timestamp. Errors: ctl.usage.
Expected<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms);

// Unix ms → "2026-11-21T10:00:00Z" (UTC, whole seconds: the form --since accepts).
std::string format_timestamp(std::int64_t unix_ms);
// Seconds → "45s", "5m 3s", "2h 3m", "1d 2h 3m".
std::string format_uptime(std::int64_t seconds);
// Bytes → "512 B", "96.0 KiB", "1.5 MiB".
std::string format_bytes(std::uint64_t bytes);
// For messages: "5 s", "500 ms", "2 min".
std::string format_timeout(std::chrono::milliseconds ms);

}  // namespace lintel::ctl
