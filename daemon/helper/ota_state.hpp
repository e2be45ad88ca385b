// The helper's private OTA state directory (--ota-state-dir, root-owned 0700): the per-handler
// and per-component directories the handlers keep their state in, the lock that lets one request
// at a time use a handler, and the private subdirectories the helper keeps for itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "helper/atomic_file.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

inline constexpr mode_t k_private_dir_mode = 0700;

// helper.unsafe_path unless `dir` is owned by the user the helper runs as and closed to group
// and others.
Expected<void> check_private(const OpenDirectory& dir);

// The subdirectory `name` of `parent`, created 0700 when missing, then check_private().
Expected<OpenDirectory> private_child(const OpenDirectory& parent, const std::string& name);

struct StateDirs {
    OpenDirectory root;       // --ota-state-dir
    OpenDirectory handler;    // root/<handler>: locked for the whole call
    OpenDirectory component;  // root/<handler>/<component>: the handler's state_dir
};

// --ota-state-dir (its parent must exist), <handler>/ and <handler>/<component>/, each private.
Expected<StateDirs> open_state_dirs(const std::filesystem::path& state_root,
                                    const std::string& handler, const std::string& component);

// Takes the exclusive lock of a handler's directory (held until the fd closes). `wait` zero:
// ota.busy at once when another request holds it; else retried until `wait` has passed.
Expected<void> lock_handler(const OpenDirectory& handler_dir, const std::string& handler,
                            std::chrono::milliseconds wait = std::chrono::milliseconds(0));

}  // namespace lintel::helper
