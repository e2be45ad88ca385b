// Parses lintel-sign's --ttl.
#include "sign/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace lintel::sign {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    // Longest suffix first: "ms" before "s" and "m".
    static constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> k_units{
        {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
    constexpr std::int64_t k_max_ms = 366LL * 86'400'000;
    for (const auto& [suffix, factor] : k_units) {
        if (!text.ends_with(suffix)) continue;
        const auto digits = text.substr(0, text.size() - suffix.size());
        if (digits.empty() || digits.size() > 12) return std::nullopt;
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size() || value <= 0) {
            return std::nullopt;
        }
        if (value > k_max_ms / factor) return std::nullopt;
        return std::chrono::milliseconds(value * factor);
    }
    return std::nullopt;
}

}  // namespace lintel::sign
