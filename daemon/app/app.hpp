// The daemon's lifecycle: start (store → devices → uplink → READY), run, reload on SIGHUP,
// stop on SIGTERM/SIGINT within a deadline. main() parses the command line and calls this.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lintel/config_node.hpp"

namespace lintel::app {

// Exit codes: 0 clean stop; 1 runtime failure (systemd restarts); 78 (EX_CONFIG) invalid
// configuration — the unit does not restart on it, so a typo never becomes a crash loop.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 78;

struct RunOptions {
    std::filesystem::path config_path;
    std::filesystem::path default_plugin_dir;
};

// Runs the daemon in the foreground until asked to stop. Returns the process exit code.
int run_daemon(const RunOptions& options);

// --check-config: loads everything a start would (including each device's driver plugin and
// the command-signing keys) without opening the buffer or the network. Prints one line per
// error to stderr; returns 0 or kExitConfig.
int check_config(const RunOptions& options);

struct ConfigCheckReport {
    sdk::ConfigErrors errors;
    std::vector<std::string> warnings;  // e.g. not provisioned yet
    std::size_t devices = 0;
};
// What check_config prints, as values (also lintelctl's `config check`).
ConfigCheckReport collect_config_check(const RunOptions& options);

std::string version_string();

}  // namespace lintel::app
