// wpa_supplicant's STATUS reply ("key=value" lines) as a struct; keys it does not know are kept.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::wpa {

// Bounds of a STATUS reply (wpa_supplicant 2.10 answers in at most 4 KiB; STATUS-VERBOSE more).
inline constexpr std::size_t k_max_status_bytes = 16384;
inline constexpr std::size_t k_max_status_lines = 256;
inline constexpr std::size_t k_max_status_key = 64;
inline constexpr std::size_t k_max_status_value = 4096;

struct Status {
    std::string wpa_state;  // always there: DISCONNECTED, ASSOCIATED, COMPLETED, ...
    // The IEEE 802.1X supplicant (absent before an association):
    std::optional<std::string> supp_port_status;  // suppPortStatus: Authorized | Unauthorized
    std::optional<std::string> pae_state;         // "Supplicant PAE state": AUTHENTICATED, HELD...
    std::optional<std::string> eap_state;         // "EAP state": SUCCESS, FAILURE, IDLE, ...
    std::optional<std::string> selected_method;   // selectedMethod: "13 (EAP-TLS)"
    // The association:
    std::optional<std::string> bssid;       // wired: the PAE group address 01:80:c2:00:00:03
    std::optional<std::string> ssid;        // decoded bytes (printf escapes undone); wired: ""
    std::optional<int> id;                  // network block id
    std::optional<std::string> mode;        // station, AP, ...
    std::optional<std::string> key_mgmt;    // "IEEE 802.1X (no WPA)", "WPA2/IEEE 802.1X/EAP", ...
    std::optional<std::string> address;     // our MAC address
    std::optional<std::string> ip_address;  // when wpa_supplicant knows it
    // Every other key, in reply order, with the value as sent (eap_session_id, uuid, ...).
    std::vector<std::pair<std::string, std::string>> other;

    bool port_authorized() const { return supp_port_status == "Authorized"; }
    bool completed() const { return wpa_state == "COMPLETED"; }
    const std::string* find_other(std::string_view key) const;
};

// Strict: every line "key=value\n" (keys may hold spaces: "EAP state"), no duplicate key, no
// control byte, MACs as xx:xx:xx:xx:xx:xx, id a number, wpa_state present, within the bounds
// above. A reply of "FAIL" or "UNKNOWN COMMAND" is wpa.command_failed, anything else malformed
// wpa.bad_reply naming the line.
Expected<Status> parse_status(std::string_view reply);

// One line for logs and error messages: "wpa_state=ASSOCIATED suppPortStatus=Unauthorized
// PAE=HELD EAP=FAILURE".
std::string summary(const Status& status);

// xx:xx:xx:xx:xx:xx with hex digits of either case.
bool is_mac(std::string_view text);

}  // namespace lintel::wpa
