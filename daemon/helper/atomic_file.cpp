// Temp file, fsync, rename, fsync: the order that leaves either the old or the new file after a
// crash, never a torn one.
#include "helper/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using common::UniqueFd;

// Enough for pid reuse after a crash left a temp file or two; more means something else is wrong.
constexpr int k_temp_name_attempts = 16;
constexpr std::size_t k_copy_chunk = 64 * 1024;

std::unexpected<Error> internal(std::string message) {
    return make_error(std::string(codes::internal), std::move(message));
}

std::unexpected<Error> failed(std::string_view what, const fs::path& path, int err) {
    return internal(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

std::string kind_of(mode_t mode) {
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    return "a special file";
}

// Why `name` (relative to `at`) did not open as a directory: open(O_DIRECTORY|O_NOFOLLOW) says
// ENOTDIR for a symlink and a file alike, so lstat tells the operator which it is.
std::unexpected<Error> not_a_directory(int at, const std::string& name, const fs::path& shown,
                                       int err) {
    struct stat st {};
    if ((err == ENOTDIR || err == ELOOP) &&
        ::fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        return make_error(std::string(codes::unsafe_path),
                          shown.string() + " is " + kind_of(st.st_mode) +
                              ", not a directory; lintel-helper writes only into a real directory");
    }
    return failed("cannot open directory", shown, err);
}

// True only when there is nothing at all at `name` (a dangling symlink is something).
bool nothing_at(int at, const std::string& name) {
    struct stat st {};
    return ::fstatat(at, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

Expected<UniqueFd> open_directory_at(int at, const std::string& name, const fs::path& shown) {
    UniqueFd fd(::openat(at, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return not_a_directory(at, name, shown, errno);
    return fd;
}

// True when `name` is a regular file, false when absent. Anything else is refused: rename and
// unlink never follow a symlink, so this is not about being tricked into writing elsewhere; a
// symlink or directory at a configuration path was put there by someone on purpose, and
// replacing it silently would undo their setup.
Expected<bool> regular_or_absent(const OpenDirectory& dir, const std::string& name) {
    const fs::path shown = dir.path() / name;
    struct stat st {};
    if (::fstatat(dir.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        return failed("cannot inspect", shown, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return make_error(
            std::string(codes::unsafe_path),
            shown.string() + " is " + kind_of(st.st_mode) + ", not a regular file; left as it is");
    }
    return true;
}

Expected<void> sync_directory(const OpenDirectory& dir, std::string_view done) {
    if (::fsync(dir.fd()) == 0) return {};
    return internal(std::string(done) + ", but syncing " + dir.path().string() + " failed: " +
                    std::strerror(errno) + "; the change may not survive a power cut");
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// The temp file beside the target; removed on destruction unless it was renamed into place.
class TempFile {
public:
    static Expected<TempFile> create(const OpenDirectory& dir, const std::string& target) {
        // Leading dot and no .yaml suffix: linteld's loader skips it even if a crash leaves it.
        const std::string stem = "." + target + "." + std::to_string(::getpid()) + ".";
        for (int attempt = 0; attempt < k_temp_name_attempts; ++attempt) {
            std::string name = stem + std::to_string(attempt) + ".tmp";
            UniqueFd fd(::openat(dir.fd(), name.c_str(),
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (fd.valid()) return TempFile(dir, std::move(name), std::move(fd));
            if (errno != EEXIST) return failed("cannot create a temp file in", dir.path(), errno);
        }
        return internal("cannot create a temp file in " + dir.path().string() + ": " +
                        std::to_string(k_temp_name_attempts) + " names starting with " + stem +
                        " are taken (left by crashed helpers? they may be deleted)");
    }
    TempFile(TempFile&& other) noexcept
        : dir_(other.dir_), name_(std::move(other.name_)), fd_(std::move(other.fd_)) {
        other.dir_ = nullptr;
    }
    TempFile& operator=(TempFile&&) = delete;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (dir_ != nullptr) ::unlinkat(dir_->fd(), name_.c_str(), 0);
    }

    // Mode, owner, content, fsync, close: everything that must be on disk before the rename.
    // `write` is called with a function that appends one chunk (false: a write failed).
    template <typename Write>
    Expected<void> fill(mode_t mode, const std::optional<FileOwner>& owner, Write&& write) {
        const fs::path shown = dir_->path() / name_;
        // Explicitly: O_CREAT's mode is cut by the umask (the unit's is 0077).
        if (::fchmod(fd_.get(), mode) != 0) return failed("cannot set the mode of", shown, errno);
        if (owner && ::fchown(fd_.get(), owner->uid, owner->gid) != 0) {
            return failed("cannot set the owner of", shown, errno);
        }
        auto append = [&](std::string_view chunk) { return write_all(fd_.get(), chunk); };
        if (auto written = write(append); !written) return written;
        if (::fsync(fd_.get()) != 0) return failed("cannot sync", shown, errno);
        if (::close(fd_.release()) != 0) return failed("cannot close", shown, errno);
        return {};
    }

    Expected<void> fill(std::string_view content, mode_t mode,
                        const std::optional<FileOwner>& owner = std::nullopt) {
        return fill(mode, owner, [&](auto& append) -> Expected<void> {
            if (!append(content)) return failed("cannot write", dir_->path() / name_, errno);
            return {};
        });
    }

    // A copy: content read from `source` in chunks. Returns the number of bytes copied.
    Expected<std::uint64_t> fill_from(int source, const CopySettings& settings) {
        const fs::path shown = dir_->path() / name_;
        std::uint64_t copied = 0;
        auto filled = fill(settings.mode, settings.owner, [&](auto& append) -> Expected<void> {
            std::string buffer(k_copy_chunk, '\0');
            for (;;) {
                const ssize_t n = ::read(source, buffer.data(), buffer.size());
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return failed("cannot read the source of", shown, errno);
                if (n == 0) return {};
                const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
                copied += chunk.size();
                if (settings.max_bytes && copied > *settings.max_bytes) {
                    return internal("the source of " + shown.string() + " is larger than " +
                                    std::to_string(*settings.max_bytes) + " bytes");
                }
                if (settings.observe) settings.observe(chunk);
                if (!append(chunk)) return failed("cannot write", shown, errno);
            }
        });
        if (!filled) return std::unexpected(filled.error());
        return copied;
    }

    Expected<void> rename_to(const std::string& target) {
        if (::renameat(dir_->fd(), name_.c_str(), dir_->fd(), target.c_str()) != 0) {
            return failed("cannot rename the temp file over", dir_->path() / target, errno);
        }
        dir_ = nullptr;  // it is the target now: nothing to clean up
        return {};
    }

private:
    TempFile(const OpenDirectory& dir, std::string name, UniqueFd fd)
        : dir_(&dir), name_(std::move(name)), fd_(std::move(fd)) {}

    const OpenDirectory* dir_;
    std::string name_;
    UniqueFd fd_;
};

// The steps around filling the temp file: what is at `target` must be a regular file or nothing;
// `fill` writes and syncs the temp file; then the rename and the directory's fsync. True when a
// previous file was replaced.
template <typename Fill>
Expected<bool> replace_with(const OpenDirectory& dir, const std::string& target, Fill&& fill) {
    auto existed = regular_or_absent(dir, target);
    if (!existed) return std::unexpected(existed.error());
    auto temp = TempFile::create(dir, target);
    if (!temp) return std::unexpected(temp.error());
    if (auto filled = fill(*temp); !filled) return std::unexpected(filled.error());
    if (auto renamed = temp->rename_to(target); !renamed) return std::unexpected(renamed.error());
    if (auto synced = sync_directory(dir, "wrote " + (dir.path() / target).string()); !synced) {
        return std::unexpected(synced.error());
    }
    return *existed;
}

}  // namespace

Expected<OpenDirectory> OpenDirectory::open(const fs::path& path) {
    auto fd = open_directory_at(AT_FDCWD, path.string(), path);
    if (!fd) return std::unexpected(fd.error());
    return OpenDirectory(std::move(*fd), path);
}

Expected<std::optional<OpenDirectory>> OpenDirectory::open_child(
    std::string_view name, std::optional<mode_t> create_mode) const {
    const std::string child(name);
    const fs::path shown = path_ / child;
    bool created = false;
    if (create_mode) {
        if (::mkdirat(fd(), child.c_str(), *create_mode) == 0) {
            created = true;
        } else if (errno != EEXIST) {
            return failed("cannot create directory", shown, errno);
        }
    } else if (nothing_at(fd(), child)) {
        return std::nullopt;
    }
    auto child_fd = open_directory_at(fd(), child, shown);
    if (!child_fd) return std::unexpected(child_fd.error());
    if (created) {
        // mkdir's mode is cut by the umask too; linteld (not root) has to read this directory.
        if (::fchmod(child_fd->get(), *create_mode) != 0) {
            return failed("cannot set the mode of", shown, errno);
        }
        // The new entry must be on disk before files are renamed into it.
        if (auto synced = sync_directory(*this, "created " + shown.string()); !synced) {
            return std::unexpected(synced.error());
        }
    }
    return std::optional<OpenDirectory>(OpenDirectory(std::move(*child_fd), shown));
}

Expected<bool> replace_file(const OpenDirectory& dir, std::string_view name,
                            std::string_view content, mode_t mode) {
    return replace_with(dir, std::string(name),
                        [&](TempFile& temp) { return temp.fill(content, mode); });
}

Expected<bool> replace_file(const OpenDirectory& dir, std::string_view name,
                            std::string_view content, const CopySettings& settings) {
    return replace_with(dir, std::string(name), [&](TempFile& temp) {
        return temp.fill(content, settings.mode, settings.owner);
    });
}

Expected<std::uint64_t> replace_file_from(const OpenDirectory& dir, std::string_view name,
                                          int source_fd, const CopySettings& settings) {
    std::uint64_t copied = 0;
    auto replaced = replace_with(dir, std::string(name), [&](TempFile& temp) -> Expected<void> {
        auto n = temp.fill_from(source_fd, settings);
        if (!n) return std::unexpected(n.error());
        copied = *n;
        return {};
    });
    if (!replaced) return std::unexpected(replaced.error());
    return copied;
}

Expected<bool> remove_file(const OpenDirectory& dir, std::string_view name) {
    const std::string target(name);
    auto existed = regular_or_absent(dir, target);
    if (!existed) return std::unexpected(existed.error());
    if (!*existed) return false;
    if (::unlinkat(dir.fd(), target.c_str(), 0) != 0) {
        if (errno == ENOENT) return false;  // removed meanwhile: the outcome asked for
        return failed("cannot remove", dir.path() / target, errno);
    }
    if (auto synced = sync_directory(dir, "removed " + (dir.path() / target).string()); !synced) {
        return std::unexpected(synced.error());
    }
    return true;
}

}  // namespace lintel::helper
