// Device timestamps as found in JSON payloads: Unix seconds or milliseconds, or RFC 3339 text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lintel::jsonmap {

// A number below this is Unix seconds, at or above it Unix milliseconds: 1e11 s is the year
// 5138, 1e11 ms is March 1973, so no plausible device clock is ambiguous.
inline constexpr double k_ms_threshold = 1e11;

// Unix milliseconds from a JSON number (seconds may have a fraction). nullopt when negative,
// not finite or beyond the year 9999.
std::optional<std::int64_t> unix_number_to_ms(double number);

// Unix milliseconds from RFC 3339 text: "2026-11-22T10:15:00Z", "...T10:15:00.250+01:00"
// ('t'/'z' in lower case and a space instead of 'T' are accepted, as RFC 3339 allows).
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);

}  // namespace lintel::jsonmap
