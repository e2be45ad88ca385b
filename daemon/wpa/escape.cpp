// printf_decode/printf_encode as wpa_supplicant defines them, and config value quoting.
#include "wpa/escape.hpp"

#include <array>

#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

std::unexpected<Error> fail(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool plain_printable(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

// The bytes printf_encode writes as a backslash and a letter; every other byte outside
// printable ASCII becomes \xHH.
struct Escape {
    char byte;
    char letter;
};
constexpr std::array k_escapes{Escape{'"', '"'},  Escape{'\\', '\\'}, Escape{'\033', 'e'},
                               Escape{'\n', 'n'}, Escape{'\r', 'r'},  Escape{'\t', 't'}};

const Escape* by_letter(char letter) {
    for (const auto& e : k_escapes) {
        if (e.letter == letter) return &e;
    }
    return nullptr;
}

const Escape* by_byte(char byte) {
    for (const auto& e : k_escapes) {
        if (e.byte == byte) return &e;
    }
    return nullptr;
}

}  // namespace

Expected<std::string> printf_decode(std::string_view text) {
    if (text.size() > k_max_escaped) {
        return fail(reason::bad_escape, "escaped value is " + std::to_string(text.size()) +
                                            " bytes, more than " + std::to_string(k_max_escaped));
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            return fail(reason::bad_escape,
                        "raw control byte in escaped value at offset " + std::to_string(i));
        }
        if (c != '\\') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 1 >= text.size()) {
            return fail(reason::bad_escape,
                        "escaped value ends inside an escape at offset " + std::to_string(i));
        }
        const char e = text[++i];
        if (const Escape* known = by_letter(e)) {
            out.push_back(known->byte);
            continue;
        }
        if (e != 'x') {
            return fail(reason::bad_escape, "unknown escape \\" + printf_encode({&e, 1}) +
                                                " at offset " + std::to_string(i - 1));
        }
        const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
        if (hi < 0 || lo < 0) {
            return fail(reason::bad_escape,
                        "\\x without two hex digits at offset " + std::to_string(i - 1));
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

std::string printf_encode(std::string_view bytes) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size());
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (const Escape* known = by_byte(ch)) {
            out.push_back('\\');
            out.push_back(known->letter);
        } else if (plain_printable(c)) {
            out.push_back(ch);
        } else {
            out += "\\x";
            out.push_back(k_hex[c >> 4]);
            out.push_back(k_hex[c & 0x0f]);
        }
    }
    return out;
}

Expected<std::string> config_value(std::string_view value) {
    bool plain = true;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == 0) {
            return fail(reason::bad_value, "value has a NUL byte at offset " + std::to_string(i) +
                                               " (wpa_supplicant would cut it there)");
        }
        if (!plain_printable(c) || c == '"' || c == '\\') plain = false;
    }
    // "..." is taken literally up to the last quote; P"..." goes through printf_decode, which
    // carries any byte and keeps a '#' inside the quotes from starting a comment.
    if (plain) return "\"" + std::string(value) + "\"";
    return "P\"" + printf_encode(value) + "\"";
}

Expected<std::string> config_line(std::string_view key, std::string_view value) {
    if (key.empty()) return fail(reason::bad_value, "config key is empty");
    for (char c : key) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return fail(reason::bad_value,
                        "config key \"" + printf_encode(key) + "\" is not [a-z0-9_]+");
        }
    }
    auto encoded = config_value(value);
    if (!encoded) {
        return fail(reason::bad_value, std::string(key) + ": " + encoded.error().message);
    }
    std::string line = "\t" + std::string(key) + "=" + *encoded + "\n";
    if (line.size() > k_max_config_line) {
        return fail(reason::bad_value, std::string(key) + ": the line would be " +
                                           std::to_string(line.size()) + " bytes, more than " +
                                           "wpa_supplicant reads (" +
                                           std::to_string(k_max_config_line) + ")");
    }
    return line;
}

}  // namespace lintel::wpa
