// UTF-8 well-formedness (Unicode Table 3-7), for encoders that replace bad bytes and for checkers
// that refuse them. Header-only: the telemetry encoder calls it per byte on its hot path.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace lintel::common {

// Length (1 to 4) of the well-formed UTF-8 sequence starting at s[i], 0 when it is ill-formed
// (overlong, a surrogate, above U+10FFFF, a stray continuation byte, cut short). i < s.size().
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    const std::size_t left = s.size() - i;
    auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return k < left && byte(i + k) >= lo && byte(i + k) <= hi;
    };
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;  // no surrogates
    if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

// Offset of the first byte that does not start a well-formed sequence; nullopt for valid UTF-8.
inline std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}

}  // namespace lintel::common
