// Version strings of OTA components: Debian's syntax and ordering (deb-version(7)), which also
// orders plain dotted versions (1.9.3 < 1.10.0) as one expects. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lintel::ota {

inline constexpr std::size_t k_max_version_length = 128;
inline constexpr std::string_view k_version_rule =
    "[epoch:]upstream[-revision]: 1-128 characters of A-Z a-z 0-9 . + ~ - and one optional "
    "epoch colon; the upstream part starts with a digit";

// Why `text` is not a version we accept, or nullopt. Stricter than dpkg (no colon outside the
// epoch, epoch at most 9 digits, upstream must start with a digit), so that every version we
// accept means the same to dpkg and to us.
std::optional<std::string> version_problem(std::string_view text);
inline bool is_valid_version(std::string_view text) { return !version_problem(text); }

// <0, 0 or >0 as `a` sorts before, equal to or after `b` under dpkg's rules: epoch numerically,
// then upstream and revision alternating non-digit runs (letters before other characters, `~`
// before everything, even the end) and digit runs (numerically). "1.0" == "1.0-0" == "0:1.0".
// Defined for valid versions; any other input still gives a consistent answer, never a crash.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace lintel::ota
