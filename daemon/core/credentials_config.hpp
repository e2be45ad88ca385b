// The `credentials:` section: which interfaces lintel brings onto an 802.1X port or a Wi-Fi
// network with delivered credentials (set-credentials), through which wpa_supplicant control
// socket and configuration file, how long an authentication may take, and where the sealed
// bundles live. Off unless the section is present. Documented in docs/configuration.md and
// docs/credentials.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::core {

// One managed interface: `wired` (802.1X on an Ethernet port, wpa_supplicant -D wired) or
// `wifi` (a wlan interface, -D nl80211). A bundle's `interface` picks the one of its type.
struct CredentialsInterface {
    std::string name;  // the kernel's interface name, e.g. eth1, wlan0
    std::string type;  // "wired" | "wifi"
    // The file wpa_supplicant reads for it (Debian's units: wpa_supplicant-wired-eth1.conf,
    // wpa_supplicant-nl80211-wlan0.conf); lintel-helper writes it, and only in its own
    // --wpa-config-dir: a path elsewhere is refused by the helper.
    std::filesystem::path config_file;
    bool operator==(const CredentialsInterface&) const = default;
};

struct CredentialsSettings {
    bool enabled = false;  // true when the section is present (and not enabled: false)
    std::vector<CredentialsInterface> interfaces;
    std::filesystem::path ctrl_dir = "/run/wpa_supplicant";  // wpa_supplicant's sockets
    std::filesystem::path client_dir = "/run/lintel/wpa";    // ours (0700)
    std::chrono::milliseconds auth_deadline{60'000};  // new credentials must authorize by then
    std::filesystem::path store_dir = "/var/lib/lintel/credentials";  // sealed bundles (0700)
    bool operator==(const CredentialsSettings&) const = default;
};

// Parses the section (node may be null: off). Errors name file:line:col and the key path.
void parse_credentials(const sdk::ConfigNode* node, CredentialsSettings& out,
                       sdk::ConfigErrors& errors);

}  // namespace lintel::core
