// lintel-helper's command line.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::helper {

// The plugin directory compiled in (where the package installs plugins).
std::filesystem::path default_plugin_dir();

struct Options {
    std::string allow_user = "lintel";  // besides root, the one allowed peer
    // Empty: dpkg's own database. Tests point it at a throwaway one. (No default path spelled
    // out here: lintian flags binaries that name dpkg's database, and dpkg-query knows it.)
    std::filesystem::path dpkg_admindir;
    std::filesystem::path config_dir = "/etc/lintel";  // what write-config may write
    std::chrono::milliseconds read_timeout{5000};      // for the whole request line
    // OTA (docs/helper.md, "OTA actions"). The plugin dir is linteld's (CMake's
    // LINTEL_DEFAULT_PLUGIN_DIR); the staging dir is where linteld's downloader leaves artifacts.
    std::filesystem::path plugin_dir = default_plugin_dir();
    std::filesystem::path ota_staging_dir = "/var/lib/lintel/ota/staging";
    std::filesystem::path ota_state_dir = "/var/lib/lintel-helper/ota";
    // --handler-setting NAME.KEY=VALUE, repeatable: handler NAME -> KEY -> VALUE.
    std::map<std::string, std::map<std::string, std::string>> handler_settings;
    // ota-reboot: --reboot-command "PROGRAM ARG...", split at spaces; PROGRAM absolute.
    std::vector<std::string> reboot_command{"/bin/systemctl", "reboot"};
    // wpa-config (docs/helper.md): the only directory it writes wpa_supplicant configurations
    // into, and the control socket directory and group those configurations name. Never taken
    // from a request: a ctrl_interface DIR= elsewhere would have wpa_supplicant (root) chown and
    // chmod that directory.
    std::filesystem::path wpa_config_dir = "/etc/wpa_supplicant";
    std::filesystem::path wpa_ctrl_dir = "/run/wpa_supplicant";
    std::string wpa_group = "lintel";
    // --ota-recover COMPONENT / --ota-recover-check COMPONENT: no socket, one recovery step for
    // lintel-ota-recover.service (ota_recover.hpp), then exit.
    std::optional<std::string> ota_recover;
    bool ota_recover_check = false;
    bool show_help = false;
    bool show_version = false;
};

// `args` without argv[0]. Accepts "--name value" and "--name=value". Errors have code
// "helper.usage" and name the option.
Expected<Options> parse_options(std::span<const char* const> args);

std::string usage_text();

}  // namespace lintel::helper
