// dlopen-based plugin loading with SDK version checks.
#include "core/plugin_host.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>

namespace lintel::core {

PluginHost::PluginHost(std::filesystem::path plugin_dir, sdk::Logger& log)
    : dir_(std::move(plugin_dir)), log_(log) {}

PluginHost::~PluginHost() {
    // Drivers first, while their code is still mapped. Handles are deliberately not dlclose()d:
    // a plugin may have registered thread-local or static destructors that run at exit.
    for (auto& [name, l] : loaded_) {
        if (l.info != nullptr && l.driver != nullptr) l.info->destroy_driver(l.driver);
    }
}

Expected<sdk::Driver*> PluginHost::driver(const std::string& name) {
    if (auto it = loaded_.find(name); it != loaded_.end()) return it->second.driver;
    if (auto it = failed_.find(name); it != failed_.end()) return std::unexpected(it->second);
    auto loaded = load(name);
    if (!loaded) {
        log_.error("cannot load driver plugin; devices using it stay stopped",
                   {{"DRIVER", name}, {"REASON", loaded.error().message}});
        failed_.emplace(name, loaded.error());
        return std::unexpected(loaded.error());
    }
    log_.info("loaded driver plugin",
              {{"DRIVER", name}, {"PLUGIN_VERSION", loaded->info->version}});
    return loaded_.emplace(name, *loaded).first->second.driver;
}

Expected<PluginHost::Loaded> PluginHost::load(const std::string& name) {
    // The name comes from config and was checked to be [a-z0-9_-]; still never build a path
    // that could leave the plugin directory.
    if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') {
        return make_error("plugin.bad_name", "invalid driver name \"" + name + "\"");
    }
    const std::filesystem::path file = dir_ / (name + ".so");
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        return make_error("plugin.missing", "no plugin for driver \"" + name + "\": " +
                                                file.string() + ": " + std::strerror(errno));
    }
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return make_error("plugin.load_failed",
                          "cannot load " + file.string() + ": " + (why ? why : "unknown"));
    }
    auto* entry =
        reinterpret_cast<lintel_plugin_entry_fn>(::dlsym(handle, LINTEL_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) {
        ::dlclose(handle);
        return make_error("plugin.no_entry", file.string() + " is not a lintel plugin (no " +
                                                 LINTEL_PLUGIN_ENTRY_SYMBOL + " symbol)");
    }
    const lintel_plugin_info* info = entry();
    if (info == nullptr) {
        ::dlclose(handle);
        return make_error("plugin.no_entry", file.string() + ": entry point returned nothing");
    }
    if (info->sdk_version != sdk::kSdkVersion) {
        const std::string msg =
            file.string() + " was built for plugin SDK version " +
            std::to_string(info->sdk_version) + ", this linteld speaks version " +
            std::to_string(sdk::kSdkVersion) + "; install the matching plugin package";
        ::dlclose(handle);
        return make_error("plugin.sdk_mismatch", msg);
    }
    if (info->name == nullptr || name != info->name || info->create_driver == nullptr ||
        info->destroy_driver == nullptr) {
        const std::string msg = file.string() + " declares driver \"" +
                                (info->name ? info->name : "") + "\", expected \"" + name + "\"";
        ::dlclose(handle);
        return make_error("plugin.name_mismatch", msg);
    }
    sdk::Driver* driver = info->create_driver();
    if (driver == nullptr) {
        ::dlclose(handle);
        return make_error("plugin.init_failed", file.string() + ": driver could not be created");
    }
    return Loaded{handle, info, driver};
}

}  // namespace lintel::core
