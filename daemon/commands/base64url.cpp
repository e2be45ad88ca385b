// Strict base64url and base64: one encoding per byte string, so a JWS cannot be re-encoded into a
// different text that still verifies (which would slip past a replay check keyed on the text).
#include "commands/base64url.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

#include "commands/reason_codes.hpp"

namespace lintel::commands {
namespace {

constexpr std::uint8_t k_invalid = 0xff;

// One of the two RFC 4648 alphabets, with its decoding table and how its texts end.
struct Alphabet {
    std::string_view name;     // for messages: "base64url", "base64"
    std::string_view symbols;  // 64 characters
    bool padded = false;       // '=' up to a multiple of 4
    std::array<std::uint8_t, 256> decode{};
};

constexpr Alphabet make_alphabet(std::string_view name, std::string_view symbols, bool padded) {
    Alphabet a{name, symbols, padded, {}};
    for (auto& entry : a.decode) entry = k_invalid;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        a.decode[static_cast<unsigned char>(symbols[i])] = static_cast<std::uint8_t>(i);
    }
    return a;
}

constexpr Alphabet k_url = make_alphabet(
    "base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);
constexpr Alphabet k_standard = make_alphabet(
    "base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true);

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

std::string why_not_alphabet(const Alphabet& alphabet, unsigned char c) {
    switch (c) {
        case '=':
            return alphabet.padded ? " (padding belongs only at the end)"
                                   : " (padding is not used)";
        case '+':
        case '/':
            return " (that is the standard base64 alphabet; base64url uses '-' and '_')";
        case '-':
        case '_':
            return " (that is the base64url alphabet; base64 uses '+' and '/')";
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            return " (whitespace is not allowed)";
        default:
            return "";
    }
}

std::string encode(std::string_view bytes, const Alphabet& alphabet) {
    const std::string_view symbols = alphabet.symbols;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto at = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += symbols[(v >> 18) & 0x3f];
        out += symbols[(v >> 12) & 0x3f];
        out += symbols[(v >> 6) & 0x3f];
        out += symbols[v & 0x3f];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = at(i) << 16;
        out += symbols[(v >> 18) & 0x3f];
        out += symbols[(v >> 12) & 0x3f];
        if (alphabet.padded) out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
        out += symbols[(v >> 18) & 0x3f];
        out += symbols[(v >> 12) & 0x3f];
        out += symbols[(v >> 6) & 0x3f];
        if (alphabet.padded) out += '=';
    }
    return out;
}

Expected<std::string> decode(std::string_view text, const Alphabet& alphabet) {
    const std::string name(alphabet.name);
    if (alphabet.padded) {
        if (text.size() % 4 != 0) {
            return make_error(std::string(reason::malformed),
                              name + " text of " + std::to_string(text.size()) +
                                  " characters is not a multiple of 4 (padding missing or text "
                                  "cut short)");
        }
        // One or two '=' close the last group; the check below refuses them anywhere else.
        std::size_t pad = 0;
        while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
        text.remove_suffix(pad);
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (alphabet.decode[c] == k_invalid) {
            return make_error(std::string(reason::malformed),
                              describe_byte(c) + " at offset " + std::to_string(i) + " is not " +
                                  name + why_not_alphabet(alphabet, c));
        }
    }
    if (text.size() % 4 == 1) {
        return make_error(std::string(reason::malformed),
                          name + " text of " + std::to_string(text.size()) +
                              " characters is truncated (a length of 1 mod 4 encodes no byte)");
    }
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char ch : text) {
        acc = (acc << 6) | alphabet.decode[static_cast<unsigned char>(ch)];
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
                          "the last " + name + " character (offset " +
                              std::to_string(text.size() - 1) +
                              ") has non-zero padding bits (not the canonical encoding)");
    }
    return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode(bytes, k_url); }

Expected<std::string> base64url_decode(std::string_view text) { return decode(text, k_url); }

std::string base64_encode(std::string_view bytes) { return encode(bytes, k_standard); }

Expected<std::string> base64_decode(std::string_view text) { return decode(text, k_standard); }

}  // namespace lintel::commands
