// Strict base64url: one encoding per byte string, so a JWS cannot be re-encoded into a
// different text that still verifies (which would slip past a replay check keyed on the text).
#include "commands/base64url.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t k_invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
    std::array<std::uint8_t, 256> table{};
    for (auto& entry : table) entry = k_invalid;
    for (std::size_t i = 0; i < k_alphabet.size(); ++i) {
        table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::uint8_t>(i);
    }
    return table;
}

constexpr auto k_decode = make_decode_table();

std::string describe_byte(unsigned char c) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned>(c));
    std::string text = "byte ";
    text += hex;
    if (c >= 0x21 && c < 0x7f) {
        text += " ('";
        text += static_cast<char>(c);
        text += "')";
    }
    return text;
}

std::string why_not_alphabet(unsigned char c) {
    switch (c) {
        case '=':
            return " (padding is not used)";
        case '+':
        case '/':
            return " (that is the standard base64 alphabet; base64url uses '-' and '_')";
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            return " (whitespace is not allowed)";
        default:
            return "";
    }
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    auto at = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += k_alphabet[(v >> 18) & 0x3f];
        out += k_alphabet[(v >> 12) & 0x3f];
        out += k_alphabet[(v >> 6) & 0x3f];
        out += k_alphabet[v & 0x3f];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = at(i) << 16;
        out += k_alphabet[(v >> 18) & 0x3f];
        out += k_alphabet[(v >> 12) & 0x3f];
    } else if (rest == 2) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
        out += k_alphabet[(v >> 18) & 0x3f];
        out += k_alphabet[(v >> 12) & 0x3f];
        out += k_alphabet[(v >> 6) & 0x3f];
    }
    return out;
}

Expected<std::string> base64url_decode(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (k_decode[c] == k_invalid) {
            return make_error(std::string(reason::malformed),
                              describe_byte(c) + " at offset " + std::to_string(i) +
                                  " is not base64url" + why_not_alphabet(c));
        }
    }
    if (text.size() % 4 == 1) {
        return make_error(std::string(reason::malformed),
                          "base64url text of " + std::to_string(text.size()) +
                              " characters is truncated (a length of 1 mod 4 encodes no byte)");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : text) {
        acc = (acc << 6) | k_decode[static_cast<unsigned char>(ch)];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    // 2 or 4 bits are left over after 3 or 2 characters of the last group; RFC 4648 §3.5 lets
    // decoders refuse non-zero ones, and we do: otherwise 4 texts decode to the same bytes.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        return make_error(std::string(reason::malformed),
                          "the last base64url character (offset " +
                              std::to_string(text.size() - 1) +
                              ") has non-zero padding bits (not the canonical encoding)");
    }
    return out;
}

}  // namespace lintel::commands
