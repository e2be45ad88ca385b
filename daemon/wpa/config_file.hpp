// wpa_supplicant's configuration file for one interface, built from typed settings (never from
// text a caller hands in): the global lines (ctrl_interface with the group that may use the
// socket, ap_scan) and one network block per credential type. lintel-helper writes it; linteld
// renders it too, before anything is written, so a value that cannot be written is refused early.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "wpa/auth_tracker.hpp"

namespace lintel::wpa {

// The medium (auth_tracker.hpp) says which wpa_supplicant instance reads the file: -D wired on an
// Ethernet port (802.1X, ap_scan=0) or -D nl80211 on a wlan interface (ap_scan=1). Debian's units
// name the file after the driver: wpa_supplicant-wired-<if>.conf, wpa_supplicant-nl80211-<if>.conf.
// The bundle types (docs/credentials.md).
enum class Method { eap_tls, peap, ttls, wifi_psk };

// Everything a network block says. Secrets are plain strings here: this struct lives for one
// helper request (or one dry run in linteld) and is never logged.
struct NetworkSettings {
    Medium medium = Medium::wired;
    Method method = Method::eap_tls;
    std::string identity;                           // 802.1X
    std::optional<std::string> anonymous_identity;  // 802.1X
    std::optional<std::string> server_domain;       // 802.1X: domain_suffix_match
    std::string phase2;                             // peap/ttls inner method (bundle names)
    std::string password;                           // peap/ttls
    std::string ssid;                               // wifi
    std::vector<std::string> key_mgmt;              // wifi: wpa_supplicant names
    std::string psk;                                // wifi-psk: passphrase or 64 hex digits
};

// Where the PEM files of an 802.1X network are (written beside the configuration, 0600 in a 0700
// directory). client_cert and private_key only for eap-tls.
struct CertificatePaths {
    std::filesystem::path ca_cert;
    std::optional<std::filesystem::path> client_cert;
    std::optional<std::filesystem::path> private_key;
};

struct GlobalSettings {
    std::filesystem::path ctrl_dir = "/run/wpa_supplicant";  // ctrl_interface DIR=
    std::string group = "lintel";                            // ctrl_interface GROUP=
};

// The whole file. Values go through config_line (quoted, or P"..." with printf escapes); one
// whose line would pass wpa_supplicant's 510 bytes is written in hex (which wpa_supplicant reads
// for every string value) when that fits, else refused with wpa.bad_value naming the key. A
// settings combination wpa_supplicant would not use (a PSK on a wire, a passphrase with '"' next
// to SAE, an unknown phase2 or key_mgmt) is wpa.bad_value too.
Expected<std::string> render_config(const GlobalSettings& global, const NetworkSettings& network,
                                    const CertificatePaths& paths);

// One line "\tkey=value\n" like config_line, falling back to the hex form for long values.
Expected<std::string> config_line_or_hex(std::string_view key, std::string_view value);

std::string_view to_string(Medium medium);  // "wired", "wifi" (the bundle's names)
std::string_view to_string(Method method);
std::optional<Medium> parse_medium(std::string_view text);
std::optional<Method> parse_method(std::string_view text);

}  // namespace lintel::wpa
