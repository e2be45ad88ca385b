// Test support: a temporary directory that removes itself, whole-file read/write helpers, modes
// and directory listings.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::test {

// mkdtemp under $TMPDIR (or /tmp), mode 0700; removed recursively on destruction unless
// keep() was called or LINTEL_KEEP_TEST_DIRS is set in the environment (for post-mortems).
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "lintel-test");
    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&&) = delete;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
    void keep() { keep_ = true; }

private:
    std::filesystem::path path_;
    bool keep_ = false;
};

// Whole file as a string; an error names the path.
Expected<std::string> read_file(const std::filesystem::path& path);
// Creates or truncates with `mode` (applied even when the file existed), writes all of `text`.
Expected<void> write_file(const std::filesystem::path& path, std::string_view text,
                          mode_t mode = 0644);

// The permission bits (07777) of `path` itself (lstat: a symlink's own), 0 when it is missing.
mode_t mode_of(const std::filesystem::path& path);
// Every name in `dir`, dot files included (temp files must not survive); empty when missing.
std::set<std::string> entries(const std::filesystem::path& dir);

}  // namespace lintel::test
