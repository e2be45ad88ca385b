// Opening a path below a trusted directory without following a symbolic link anywhere on the
// way: every component is opened relative to the previous one with O_NOFOLLOW, so a link placed
// by whoever can write below the directory cannot lead the helper (root) elsewhere.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "helper/atomic_file.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

// `relative`'s components. helper.unsafe_path when it is empty or absolute, or has an empty,
// "." or ".." component.
Expected<std::vector<std::string>> plain_components(const std::filesystem::path& relative);

struct OpenParent {
    OpenDirectory dir;  // the directory that holds `name`
    std::string name;   // the last component of the relative path
};

// Opens `root` (not itself a symlink) and every directory component of `relative` but the
// last. A symlink or non-directory on the way is helper.unsafe_path; a missing directory is
// helper.internal naming it.
Expected<OpenParent> open_parent_beneath(const std::filesystem::path& root,
                                         const std::filesystem::path& relative);

struct OpenFile {
    common::UniqueFd fd;
    struct stat status {};
};

// `name` in `dir`, opened read-only: nullopt when nothing is there; helper.unsafe_path when it
// is a symlink or not a regular file. A FIFO cannot block the open (O_NONBLOCK, then cleared).
Expected<std::optional<OpenFile>> open_regular(const OpenDirectory& dir, std::string_view name);

}  // namespace lintel::helper
