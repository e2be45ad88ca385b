// Crash-safe replacement and removal of one file in a directory. Everything goes through the
// directory's fd (openat, renameat, unlinkat), so a path checked once cannot be swapped for a
// symlink on the way to the write.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
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

struct FileOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

// How replace_file_from() writes the copy.
struct CopySettings {
    mode_t mode = 0600;
    std::optional<FileOwner> owner;  // nullopt: the helper's (root:root)
    // More bytes than this in the source fail the copy (helper.internal) before the rename.
    std::optional<std::uint64_t> max_bytes;
    // Sees every chunk as it is copied (to hash it on the way); may be empty.
    std::function<void(std::string_view)> observe;
};

// replace_file() with an owner (settings.owner; max_bytes and observe are not used).
Expected<bool> replace_file(const OpenDirectory& dir, std::string_view name,
                            std::string_view content, const CopySettings& settings);

// replace_file(), with the content read from `source_fd` (from its current offset to EOF) and
// the temp file chowned to settings.owner before the rename. Returns the number of bytes copied.
Expected<std::uint64_t> replace_file_from(const OpenDirectory& dir, std::string_view name,
                                          int source_fd, const CopySettings& settings);

// Unlinks the regular file `name` in `dir` (anything else there: helper.unsafe_path) and
// fsyncs the directory. False when there was no such file.
Expected<bool> remove_file(const OpenDirectory& dir, std::string_view name);

}  // namespace lintel::helper
