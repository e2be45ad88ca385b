// Lower-case hex of bytes (digests, fingerprints, random ids) and back. Header-only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lintel::common {

inline std::string to_hex(std::string_view bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * bytes.size());
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out += k_digits[b >> 4];
        out += k_digits[b & 0x0f];
    }
    return out;
}

inline std::string to_hex(const unsigned char* data, std::size_t size) {
    return to_hex(std::string_view(reinterpret_cast<const char*>(data), size));
}

// The bytes of an even number of hex digits (either case); nullopt for anything else.
inline std::optional<std::string> from_hex(std::string_view hex) {
    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = value(hex[i]);
        const int lo = value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>((hi << 4) | lo);
    }
    return out;
}

}  // namespace lintel::common
