// Names in lintel.yaml that end up in MQTT topics, journald fields, audit rows and file names
// (gateway and device ids, key ids, principals, OTA product and hardware ids): one safe, boring
// alphabet shared by every section's schema.
#pragma once

#include <cstddef>
#include <string_view>

namespace lintel::core {

// 1-max_len characters of a-z 0-9 _ - (plus A-Z and . when allow_upper_and_dot), not starting
// with . or -.
inline bool is_config_name(std::string_view s, bool allow_upper_and_dot = true,
                           std::size_t max_len = 64) {
    if (s.empty() || s.size() > max_len || s.front() == '.' || s.front() == '-') return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                        (allow_upper_and_dot && ((c >= 'A' && c <= 'Z') || c == '.'));
        if (!ok) return false;
    }
    return true;
}

}  // namespace lintel::core
