// wpa_supplicant's text escapes: the printf-style encoding of SSIDs and other byte strings in its
// STATUS replies and events, and the quoting of values in its configuration files.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::wpa {

// wpa_supplicant reads its configuration file line by line into a 512-byte buffer and silently
// truncates longer lines (config_file.c); a line we write must fit, newline and NUL included.
inline constexpr std::size_t k_max_config_line = 510;
// Longest escaped text printf_decode takes (an SSID is 32 bytes, 128 escaped; certificate
// subjects and EAP parameters are longer but far below this).
inline constexpr std::size_t k_max_escaped = 4096;

// Inverse of wpa_supplicant's printf_encode: \\ \" \e \n \r \t and \xHH (two hex digits).
// Any other escape, a truncated one, a raw control character or more than k_max_escaped bytes
// is wpa.bad_escape, naming the byte offset.
Expected<std::string> printf_decode(std::string_view text);

// Same as wpa_supplicant's printf_encode: printable ASCII as is, except '"' and '\\', which are
// escaped like \n \r \t and ESC; every other byte as \xHH. Always decodes back to `bytes`.
std::string printf_encode(std::string_view bytes);

// A string value as wpa_supplicant's configuration parser reads it (wpa_config_parse_string):
// "text" when it is printable ASCII without '"' or '\\', else P"printf-encoded". A NUL byte
// (which wpa_supplicant would cut the value at) is wpa.bad_value.
Expected<std::string> config_value(std::string_view value);

// One line of a network block, "\t<key>=<config_value(value)>\n". wpa.bad_value when the key is
// not [a-z0-9_]+ or the line is longer than k_max_config_line.
Expected<std::string> config_line(std::string_view key, std::string_view value);

}  // namespace lintel::wpa
