// Durations on lintel-sign's command line ("30s", "5m", "1h").
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace lintel::sign {

// "<digits><unit>" with unit ms, s, m, h or d; > 0 and at most 366 days. A bare number is
// refused: its unit would be a guess.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace lintel::sign
