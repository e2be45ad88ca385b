// Lower-case hex of a byte string (digests, random tokens), as sha256sum prints it. Header-only.
#pragma once

#include <cstddef>
#include <string>

namespace lintel::common {

inline std::string hex_lower(const unsigned char* bytes, std::size_t size) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        out += k_digits[bytes[i] >> 4];
        out += k_digits[bytes[i] & 0x0f];
    }
    return out;
}

}  // namespace lintel::common
