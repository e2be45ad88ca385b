// An unsolicited message of wpa_supplicant ("<3>CTRL-EVENT-EAP-FAILURE ...") as a typed event.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::wpa {

// An event with a certificate (CTRL-EVENT-EAP-PEER-CERT ... cert=<hex DER>) is the longest kind;
// a 4096-bit RSA certificate takes about 3 KiB of hex.
inline constexpr std::size_t k_max_event_bytes = 32768;
inline constexpr std::size_t k_max_event_params = 64;

enum class EventKind {
    eap_started,          // CTRL-EVENT-EAP-STARTED: an EAP conversation began
    eap_proposed_method,  // CTRL-EVENT-EAP-PROPOSED-METHOD vendor=0 method=13
    eap_method,           // CTRL-EVENT-EAP-METHOD EAP vendor 0 method 13 (TLS) selected
    eap_status,           // CTRL-EVENT-EAP-STATUS status='...' parameter='...'
    eap_peer_cert,        // CTRL-EVENT-EAP-PEER-CERT depth=N subject='...' hash=|cert=
    eap_peer_alt,         // CTRL-EVENT-EAP-PEER-ALT depth=N DNS:...
    eap_tls_cert_error,   // CTRL-EVENT-EAP-TLS-CERT-ERROR: we refused the server's certificate
    eap_success,          // CTRL-EVENT-EAP-SUCCESS
    eap_failure,          // CTRL-EVENT-EAP-FAILURE
    eap_timeout_failure,  // CTRL-EVENT-EAP-TIMEOUT-FAILURE(2): the server stopped answering
    connected,            // CTRL-EVENT-CONNECTED - Connection to <bssid> completed [id=N ...]
    disconnected,         // CTRL-EVENT-DISCONNECTED bssid=... reason=N
    terminating,          // CTRL-EVENT-TERMINATING: wpa_supplicant is exiting
    ssid_temp_disabled,   // CTRL-EVENT-SSID-TEMP-DISABLED id=N ssid="..." ... reason=...
    ssid_reenabled,       // CTRL-EVENT-SSID-REENABLED id=N ssid="..."
    assoc_reject,         // CTRL-EVENT-ASSOC-REJECT (wireless)
    network_not_found,    // CTRL-EVENT-NETWORK-NOT-FOUND (wireless)
    other,                // anything else; `name` and `text` keep it
};

struct Event {
    unsigned priority = 0;  // wpa_supplicant's message level: 2 debug, 3 info, 4 warning, 5 error
    std::string ifname;     // from an "IFNAME=<if> " prefix (global control socket), else empty
    EventKind kind = EventKind::other;
    std::string name;  // "CTRL-EVENT-EAP-FAILURE"; empty when the text starts with no such name
    std::string text;  // what follows the name ("EAP authentication failed"), or the whole text
    // key=value words of `text` (named events only), in order: 'single-quoted' values as sent,
    // "double-quoted" ones with their printf escapes undone.
    std::vector<std::pair<std::string, std::string>> params;

    // Filled for the kinds that carry them:
    std::string bssid;               // connected, disconnected
    std::optional<int> network_id;   // connected ([id=N]), ssid_temp_disabled, ssid_reenabled
    std::optional<int> reason_code;  // disconnected (IEEE 802.11 reason), assoc_reject status

    const std::string* param(std::string_view key) const;
};

// Strict about the frame ("[IFNAME=<if> ]<digits>" in angle brackets, then text without control
// bytes, at most k_max_event_bytes) and about quoted values; unknown events are kind `other`.
// Errors are wpa.bad_event naming the event and the byte offset.
Expected<Event> parse_event(std::string_view datagram);

// "eap_failure", ... (for logs and docs).
std::string_view kind_name(EventKind kind);

}  // namespace lintel::wpa
