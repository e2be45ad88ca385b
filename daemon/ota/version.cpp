// Debian version ordering (see version.hpp), written from deb-version(7).
#include "ota/version.hpp"

#include <cstdint>

namespace lintel::ota {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// The rank of one character in a non-digit run; the end of the string (and a digit, which ends
// the run) ranks 0, so "1.0~rc1" < "1.0" < "1.0a" < "1.0+b1".
int rank(char c) {
    if (c == '\0' || is_digit(c)) return 0;
    if (c == '~') return -1;
    if (is_alpha(c)) return static_cast<unsigned char>(c);
    return static_cast<unsigned char>(c) + 256;
}

char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

// dpkg's verrevcmp: alternating non-digit and digit runs.
int compare_part(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
            const int ra = rank(at(a, i));
            const int rb = rank(at(b, j));
            if (ra != rb) return ra < rb ? -1 : 1;
            ++i;
            ++j;
        }
        while (at(a, i) == '0') ++i;
        while (at(b, j) == '0') ++j;
        int first_difference = 0;
        while (is_digit(at(a, i)) && is_digit(at(b, j))) {
            if (first_difference == 0 && a[i] != b[j]) first_difference = a[i] < b[j] ? -1 : 1;
            ++i;
            ++j;
        }
        // The longer run (without leading zeros) is the larger number.
        if (is_digit(at(a, i))) return 1;
        if (is_digit(at(b, j))) return -1;
        if (first_difference != 0) return first_difference;
    }
    return 0;
}

struct Parts {
    std::string_view epoch;  // digits, may be empty (0)
    std::string_view upstream;
    std::string_view revision;  // may be empty (same as "0")
};

Parts split(std::string_view text) {
    Parts p;
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        p.epoch = text.substr(0, colon);
        text.remove_prefix(colon + 1);
    }
    if (const auto dash = text.rfind('-'); dash != std::string_view::npos) {
        p.revision = text.substr(dash + 1);
        text = text.substr(0, dash);
    }
    p.upstream = text;
    return p;
}

// Epochs compare as numbers; digits only for valid versions, anything else ranks by compare_part.
int compare_epoch(std::string_view a, std::string_view b) {
    while (!a.empty() && a.front() == '0') a.remove_prefix(1);
    while (!b.empty() && b.front() == '0') b.remove_prefix(1);
    return compare_part(a, b);
}

}  // namespace

std::optional<std::string> version_problem(std::string_view text) {
    if (text.empty()) return "is empty";
    if (text.size() > k_max_version_length) {
        return "is longer than " + std::to_string(k_max_version_length) + " characters";
    }
    for (char c : text) {
        if (!is_alnum(c) && c != '.' && c != '+' && c != '~' && c != '-' && c != ':') {
            return "contains a character other than A-Z a-z 0-9 . + ~ - :";
        }
    }
    const Parts parts = split(text);
    if (text.find(':') != std::string_view::npos) {
        if (parts.epoch.empty() || parts.epoch.size() > 9) return "epoch must be 1-9 digits";
        for (char c : parts.epoch) {
            if (!is_digit(c)) return "epoch must be 1-9 digits";
        }
        if (text.find(':', parts.epoch.size() + 1) != std::string_view::npos) {
            return "has a colon after the epoch";
        }
    }
    if (parts.upstream.empty()) return "has no upstream version";
    if (!is_digit(parts.upstream.front())) return "upstream version must start with a digit";
    if (text.find('-') != std::string_view::npos) {
        if (parts.revision.empty()) return "revision after the last '-' is empty";
        for (char c : parts.revision) {
            if (!is_alnum(c) && c != '.' && c != '+' && c != '~') {
                return "revision contains a character other than A-Z a-z 0-9 . + ~";
            }
        }
    }
    return std::nullopt;
}

int compare_versions(std::string_view a, std::string_view b) {
    const Parts pa = split(a);
    const Parts pb = split(b);
    if (int c = compare_epoch(pa.epoch, pb.epoch); c != 0) return c;
    if (int c = compare_part(pa.upstream, pb.upstream); c != 0) return c;
    return compare_part(pa.revision, pb.revision);
}

}  // namespace lintel::ota
