// write_file_atomically / remove_file_durably with plain POSIX calls (no asio, no library).
#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>

namespace lintel::common {
namespace {

std::unexpected<Error> failure(const std::filesystem::path& path, std::string_view step, int err) {
    return make_error("io.atomic_write",
                      std::string(step) + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

Expected<void> sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return failure(dir, "cannot open directory", errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return failure(dir, "cannot sync directory", err);
    return {};
}

Expected<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                     mode_t mode) {
    std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
    const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return failure(path, "cannot create a temp file beside", errno);
    auto abandon = [&](std::string_view step, int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return failure(path, step, err);
    };
    // mkostemp creates 0600; the mode is set explicitly so the umask does not decide it.
    if (::fchmod(fd, mode) != 0) return abandon("cannot set the mode of", errno);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return abandon("cannot write", errno);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return abandon("cannot sync", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return failure(path, "cannot close", err);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        return failure(path, "cannot rename into place", err);
    }
    return sync_directory(path.parent_path());
}

Expected<bool> remove_file_durably(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return false;
        return failure(path, "cannot remove", errno);
    }
    if (auto r = sync_directory(path.parent_path()); !r) return std::unexpected(r.error());
    return true;
}

}  // namespace lintel::common
