// Loads and validates the whole configuration: the main file, every devices.d/*.yaml fragment,
// and the credential files it names (readability, private key modes; missing ones are recorded
// as "not provisioned", not as errors).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "lintel/config_node.hpp"

namespace lintel::core {

// Files to read from memory instead of the disk: the candidate of apply-config is validated
// exactly as the files would be, before anything is written. nullopt: the file is removed.
using ConfigOverlay = std::map<std::filesystem::path, std::optional<std::string>>;

struct LoadOptions {
    std::filesystem::path default_plugin_dir;
    bool check_files = true;  // off only in unit tests of the schema
    const ConfigOverlay* overlay = nullptr;
};

// Returns the config, or nullopt with every error found in `errors` (not just the first).
// Plugin-specific device keys are not checked here (see PluginHost / DeviceManager).
std::optional<Config> load_config(const std::filesystem::path& main_file,
                                  const LoadOptions& options, sdk::ConfigErrors& errors);

// Like load_config, but returns whatever could be read even when there are errors, so that
// --check-config can also validate the devices of a config whose main file has mistakes.
Config read_config(const std::filesystem::path& main_file, const LoadOptions& options,
                   sdk::ConfigErrors& errors);

// Schema of the main document only (exposed for tests and the fuzzer).
std::optional<Config> parse_main_config(const sdk::ConfigNode& root, const LoadOptions& options,
                                        sdk::ConfigErrors& errors);
Config read_main_config(const sdk::ConfigNode& root, const LoadOptions& options,
                        sdk::ConfigErrors& errors);
// Appends the `devices:` entries of one document (main file or fragment) to `out`.
void parse_devices(const sdk::ConfigNode& root, std::vector<DeviceEntry>& out,
                   sdk::ConfigErrors& errors);

}  // namespace lintel::core
