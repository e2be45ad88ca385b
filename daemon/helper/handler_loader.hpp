// Loads OTA update-handler plugins (<plugin dir>/ota-*.so) into lintel-helper, which runs as
// root: a file or directory that anyone but root could have written is refused, and so is a
// plugin built for another SDK version. Handler names come from the plugins, not file names.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/update_handler.hpp"

namespace lintel::helper {

// Only files named like this are considered (driver plugins share the directory).
inline constexpr std::string_view k_handler_file_prefix = "ota-";

// `st` (of `shown`) must be owned by root or by the user the helper runs as (root in
// production; the test user in unprivileged tests) and not writable by group or others.
// ota.plugin_untrusted otherwise, naming the path. A directory with the sticky bit (/tmp) may be
// world-writable: nobody else can rename or replace what is in it.
Expected<void> check_trusted(const struct stat& st, const std::filesystem::path& shown,
                             bool sticky_allowed = false);

class HandlerPlugin {
public:
    // Opens `file` without following a symlink, checks it (check_trusted), dlopens exactly the
    // file that was checked (through /proc/self/fd), and checks its entry point.
    static Expected<HandlerPlugin> load(const std::filesystem::path& file);

    const std::string& name() const { return name_; }
    const std::string& plugin_version() const { return version_; }
    const std::filesystem::path& file() const { return file_; }

    // A new handler instance, destroyed by the plugin's own destroy function.
    using Instance = std::unique_ptr<sdk::UpdateHandler, void (*)(sdk::UpdateHandler*)>;
    Expected<Instance> create() const;

private:
    HandlerPlugin(const lintel_update_handler_info* info, std::filesystem::path file)
        : info_(info), name_(info->name), version_(info->version), file_(std::move(file)) {}

    const lintel_update_handler_info* info_;  // in the plugin, which is never unloaded
    std::string name_;
    std::string version_;
    std::filesystem::path file_;
};

// Every handler plugin of a directory.
class HandlerSet {
public:
    // Fails only when the directory itself is missing or untrusted (or one of its parents);
    // a refused plugin file is remembered and reported by find().
    static Expected<HandlerSet> load(const std::filesystem::path& dir);

    // The plugin declaring `name`. When none does: the refusal of a plugin file that might have
    // been it (when any file was refused), else ota.unknown_handler listing the known names.
    Expected<const HandlerPlugin*> find(std::string_view name) const;

    const std::vector<HandlerPlugin>& plugins() const { return plugins_; }
    const std::vector<Error>& refused() const { return refused_; }

private:
    std::filesystem::path dir_;
    std::vector<HandlerPlugin> plugins_;
    std::vector<Error> refused_;
};

}  // namespace lintel::helper
