// Replacing a small file so that a crash or power loss leaves either the old or the new content,
// never a mix: a temp file beside it, fsync, rename, fsync of the directory.
#pragma once

#include <sys/types.h>
#include <filesystem>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::common {

// Error code "io.atomic_write", naming the path and the failed step. The temp file
// (".<name>.XXXXXX", hidden from loaders that skip dot files) is removed on failure.
Expected<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                     mode_t mode);

// Removes the file if present and makes the removal durable; false when there was none.
Expected<bool> remove_file_durably(const std::filesystem::path& path);

// fsync of a directory: a rename or unlink inside it reaches the disk only with this.
Expected<void> sync_directory(const std::filesystem::path& dir);

}  // namespace lintel::common
