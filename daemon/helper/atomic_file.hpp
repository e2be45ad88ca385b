// Crash-safe replacement and removal of one file in a directory. Everything goes through the
// directory's fd (openat, renameat, unlinkat), so a path checked once cannot be swapped for a
// symlink on the way to the write.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

#include "common/unique_fd.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

// A directory opened without following a symlink at its last component.
class OpenDirectory {
public:
    // helper.unsafe_path when `path` is a symlink or not a directory; helper.internal when it is
    // missing or cannot be opened.
    static Expected<OpenDirectory> open(const std::filesystem::path& path);

    // The subdirectory `name` (a plain name, no '/'), with the errors of open(). When it is
    // missing: created with exactly `create_mode` (not cut by the umask) if that is set, else
    // nullopt.
    Expected<std::optional<OpenDirectory>> open_child(std::string_view name,
                                                      std::optional<mode_t> create_mode) const;

    int fd() const { return fd_.get(); }
    // As opened, for messages and results.
    const std::filesystem::path& path() const { return path_; }

private:
    OpenDirectory(common::UniqueFd fd, std::filesystem::path path)
        : fd_(std::move(fd)), path_(std::move(path)) {}

    common::UniqueFd fd_;
    std::filesystem::path path_;
};

// Replaces (or creates) the file `name` in `dir` with `content`, mode exactly `mode`: written to
// a temp file ".<name>.<pid>.<n>.tmp" in the same directory, fsynced, renamed over `name`, then
// the directory fsynced. Whatever was at `name` must be a regular file (else
// helper.unsafe_path). On any failure before the rename the temp file is removed and `name` is
// untouched. True when a previous file was replaced, false when `name` was new.
Expected<bool> replace_file(const OpenDirectory& dir, std::string_view name,
                            std::string_view content, mode_t mode);

// Unlinks the regular file `name` in `dir` (anything else there: helper.unsafe_path) and
// fsyncs the directory. False when there was no such file.
Expected<bool> remove_file(const OpenDirectory& dir, std::string_view name);

}  // namespace lintel::helper
