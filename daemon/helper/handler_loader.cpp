// Trust checks, dlopen through the checked file descriptor, entry-point checks.
#include "helper/handler_loader.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/file_mode.hpp"
#include "common/unique_fd.hpp"
#include "helper/ota_codes.hpp"
#include "lintel/plugin.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using common::UniqueFd;

constexpr std::size_t k_max_handler_name = 32;

std::unexpected<Error> invalid(const fs::path& file, std::string why) {
    return make_error(std::string(ota_codes::plugin_invalid), file.string() + ": " + why);
}

bool is_handler_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_handler_name) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// The directory and every parent up to "/" (by path: parents are the administrator's).
Expected<void> check_directory_chain(const fs::path& dir) {
    for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            return make_error(
                std::string(ota_codes::plugin_untrusted),
                "cannot inspect plugin directory " + p.string() + ": " + std::strerror(errno));
        }
        // The plugin directory itself must not be sticky-world-writable: anyone could add a file.
        if (auto ok = check_trusted(st, p, p != dir); !ok) return ok;
        if (p == p.root_path()) break;
    }
    return {};
}

}  // namespace

Expected<void> check_trusted(const struct stat& st, const fs::path& shown, bool sticky_allowed) {
    const uid_t self = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != self) {
        return make_error(std::string(ota_codes::plugin_untrusted),
                          shown.string() + " is owned by uid " + std::to_string(st.st_uid) +
                              ", not root; lintel-helper runs as root and loads only what root "
                              "could have written");
    }
    const bool writable_by_others = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
    if (writable_by_others && !(sticky_allowed && sticky_dir)) {
        return make_error(std::string(ota_codes::plugin_untrusted),
                          shown.string() + " has mode " + common::octal_mode(st.st_mode) +
                              " (writable by group or others); refused");
    }
    return {};
}

Expected<HandlerPlugin> HandlerPlugin::load(const fs::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno == ELOOP) {
            return make_error(std::string(ota_codes::plugin_untrusted),
                              file.string() + " is a symbolic link; refused");
        }
        return invalid(file, std::string("cannot open: ") + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return invalid(file, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return invalid(file, "not a regular file");
    if (auto trusted = check_trusted(st, file); !trusted) return std::unexpected(trusted.error());

    // What was checked is what is loaded: the path of the open descriptor, not `file` again.
    // Without /proc (a bare chroot) the file is loaded by name and must still be the one
    // checked; its directory is root's and not writable by others, so only root could swap it.
    const std::string via_fd = "/proc/self/fd/" + std::to_string(fd.get());
    const bool have_proc = ::access(via_fd.c_str(), R_OK) == 0;
    void* handle = ::dlopen(have_proc ? via_fd.c_str() : file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return invalid(file, std::string("cannot load: ") + (why ? why : "unknown"));
    }
    struct stat loaded {};
    if (!have_proc && (::stat(file.c_str(), &loaded) != 0 || loaded.st_dev != st.st_dev ||
                       loaded.st_ino != st.st_ino)) {
        return invalid(file, "was replaced while it was being loaded");
    }
    // From here on the handle stays open whatever happens: a plugin's static destructors may be
    // registered already, and the process exits after one request anyway. So does the
    // descriptor: glibc recognises an already loaded object by the name it was opened with, and
    // a closed, reused fd number would make "/proc/self/fd/N" name the first plugin again.
    (void)fd.release();
    if (::dlsym(handle, LINTEL_PLUGIN_ENTRY_SYMBOL) != nullptr) {
        return invalid(file, std::string("exports the driver entry ") + LINTEL_PLUGIN_ENTRY_SYMBOL +
                                 " too; a plugin is a driver or an update handler, not both");
    }
    auto* entry = reinterpret_cast<lintel_update_handler_entry_fn>(
        ::dlsym(handle, LINTEL_UPDATE_HANDLER_ENTRY_SYMBOL));
    if (entry == nullptr) {
        return invalid(file, std::string("not an update-handler plugin (no ") +
                                 LINTEL_UPDATE_HANDLER_ENTRY_SYMBOL + " symbol)");
    }
    const lintel_update_handler_info* info = entry();
    if (info == nullptr) return invalid(file, "the entry point returned nothing");
    if (info->sdk_version != sdk::kUpdateHandlerSdkVersion) {
        return make_error(std::string(ota_codes::plugin_sdk_mismatch),
                          file.string() + " was built for update-handler SDK version " +
                              std::to_string(info->sdk_version) + ", this lintel-helper speaks " +
                              std::to_string(sdk::kUpdateHandlerSdkVersion) +
                              "; install the plugin from the same lintel package");
    }
    if (info->name == nullptr || !is_handler_name(info->name) || info->version == nullptr ||
        info->create == nullptr || info->destroy == nullptr) {
        return invalid(file,
                       "its info declares no valid handler name ([a-z0-9_-], 1 to 32 "
                       "characters), version, create or destroy");
    }
    return HandlerPlugin(info, file);
}

Expected<HandlerPlugin::Instance> HandlerPlugin::create() const {
    sdk::UpdateHandler* handler = info_->create();
    if (handler == nullptr) {
        return make_error(std::string(ota_codes::plugin_invalid),
                          file_.string() + ": handler \"" + name_ + "\" could not be created");
    }
    return Instance(handler, info_->destroy);
}

Expected<HandlerSet> HandlerSet::load(const fs::path& dir) {
    if (auto chain = check_directory_chain(dir); !chain) return std::unexpected(chain.error());
    std::vector<std::string> names;
    {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) {
            return make_error(
                std::string(ota_codes::plugin_invalid),
                "cannot list plugin directory " + dir.string() + ": " + std::strerror(errno));
        }
        while (const dirent* entry = ::readdir(d)) {
            const std::string_view name = entry->d_name;
            if (name.starts_with(k_handler_file_prefix) && name.ends_with(".so")) {
                names.emplace_back(name);
            }
        }
        ::closedir(d);
    }
    std::sort(names.begin(), names.end());  // a stable order: the first of two duplicates wins

    HandlerSet set;
    set.dir_ = dir;
    for (const auto& name : names) {
        auto plugin = HandlerPlugin::load(dir / name);
        if (!plugin) {
            set.refused_.push_back(plugin.error());
            continue;
        }
        auto same =
            std::find_if(set.plugins_.begin(), set.plugins_.end(),
                         [&](const HandlerPlugin& p) { return p.name() == plugin->name(); });
        if (same != set.plugins_.end()) {
            set.refused_.push_back(
                invalid(plugin->file(), "declares handler \"" + plugin->name() + "\", which " +
                                            same->file().string() + " declares too")
                    .error());
            continue;
        }
        set.plugins_.push_back(std::move(*plugin));
    }
    return set;
}

Expected<const HandlerPlugin*> HandlerSet::find(std::string_view name) const {
    for (const auto& plugin : plugins_) {
        if (plugin.name() == name) return &plugin;
    }
    if (!refused_.empty()) {
        // The refused file may be the one that declares `name`: say why it was not loaded.
        Error error = refused_.front();
        error.message =
            "no usable plugin declares handler \"" + std::string(name) + "\"; " + error.message;
        for (std::size_t i = 1; i < refused_.size(); ++i)
            error.message += "; " + refused_[i].message;
        return std::unexpected(std::move(error));
    }
    std::string known;
    for (const auto& plugin : plugins_) known += (known.empty() ? "" : ", ") + plugin.name();
    return make_error(std::string(ota_codes::unknown_handler),
                      "no plugin in " + dir_.string() + " declares handler \"" + std::string(name) +
                          "\" (known: " + (known.empty() ? "none" : known) + ")");
}

}  // namespace lintel::helper
