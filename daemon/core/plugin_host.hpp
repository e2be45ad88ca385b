// Loads driver plugins (<plugin_dir>/<driver>.so) on demand through their versioned entry symbol
// and keeps them loaded. A missing or mismatched plugin is an error for the devices that name it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "lintel/plugin.hpp"

namespace lintel::core {

class PluginHost {
public:
    PluginHost(std::filesystem::path plugin_dir, sdk::Logger& log);
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // The driver for `name`, loading its plugin the first time. Failures are remembered so a
    // broken plugin is reported once per load attempt, not once per device.
    Expected<sdk::Driver*> driver(const std::string& name);
    const std::filesystem::path& plugin_dir() const { return dir_; }

private:
    struct Loaded {
        void* handle = nullptr;
        const lintel_plugin_info* info = nullptr;
        sdk::Driver* driver = nullptr;
    };
    Expected<Loaded> load(const std::string& name);

    std::filesystem::path dir_;
    sdk::Logger& log_;
    std::map<std::string, Loaded> loaded_;
    std::map<std::string, Error> failed_;
};

}  // namespace lintel::core
