// PartFile with plain POSIX calls: pwrite at the known offset, fdatasync, rename.
#include "ota/download_part.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/atomic_file.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::ota {
namespace {

constexpr std::size_t k_max_meta_read = 8192;

std::unexpected<Error> file_error(const std::filesystem::path& path, std::string_view step,
                                  int err) {
    const bool full = err == ENOSPC || err == EDQUOT;
    return make_error(std::string(full ? reason::no_space : reason::download_failed),
                      std::string(step) + " " + path.string() + ": " + std::strerror(err));
}

// write_file_atomically reports errno only as text; a full disk must still read as no_space.
Error classify_meta_error(const Error& e) {
    const bool full = e.message.find(std::strerror(ENOSPC)) != std::string::npos ||
                      e.message.find(std::strerror(EDQUOT)) != std::string::npos;
    return Error{std::string(full ? reason::no_space : reason::download_failed), e.message};
}

std::string read_small_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out(k_max_meta_read, '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
}

}  // namespace

PartFile::PartFile(std::filesystem::path destination, int fd, PartMeta meta, std::uint64_t offset)
    : destination_(std::move(destination)),
      part_(destination_.string() + ".part"),
      meta_path_(destination_.string() + ".part.meta"),
      fd_(fd),
      meta_(std::move(meta)),
      offset_(offset) {}

PartFile::PartFile(PartFile&& other) noexcept
    : destination_(std::move(other.destination_)),
      part_(std::move(other.part_)),
      meta_path_(std::move(other.meta_path_)),
      fd_(std::exchange(other.fd_, -1)),
      meta_(std::move(other.meta_)),
      meta_written_(other.meta_written_),
      offset_(other.offset_) {}

PartFile::~PartFile() {
    if (fd_ >= 0) ::close(fd_);
}

Expected<PartFile> PartFile::open(const std::filesystem::path& destination, std::string resource,
                                  std::uint64_t size) {
    const std::filesystem::path part = destination.string() + ".part";
    const std::filesystem::path meta_path = destination.string() + ".part.meta";
    struct stat dir_st {};
    const auto dir =
        destination.parent_path().empty() ? std::filesystem::path(".") : destination.parent_path();
    if (::stat(dir.c_str(), &dir_st) != 0 || !S_ISDIR(dir_st.st_mode))
        return make_error(std::string(reason::download_failed),
                          "the staging directory " + dir.string() + " does not exist");

    PartMeta fresh{std::move(resource), size, {}, {}, 0};
    std::uint64_t keep = 0;
    bool reuse = false;
    struct stat st {};
    const bool part_exists = ::stat(part.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    auto old = parse_part_meta(read_small_file(meta_path));
    if (part_exists && old && old->resource == fresh.resource && old->size == size &&
        static_cast<std::uint64_t>(st.st_size) >= old->committed) {
        reuse = true;
        keep = old->committed;
    }
    if (!reuse) {
        static_cast<void>(common::remove_file_durably(meta_path));
    }
    const int fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return file_error(part, "cannot open", errno);
    if (::ftruncate(fd, static_cast<off_t>(keep)) != 0) {
        const int err = errno;
        ::close(fd);
        return file_error(part, "cannot cut", err);
    }
    PartFile file(destination, fd, reuse ? std::move(*old) : std::move(fresh), keep);
    file.meta_written_ = reuse;
    return file;
}

Expected<void> PartFile::write_meta() {
    auto r = common::write_file_atomically(meta_path_, serialise_part_meta(meta_), 0600);
    if (!r) return std::unexpected(classify_meta_error(r.error()));
    meta_written_ = true;
    return {};
}

Expected<void> PartFile::restart(std::string etag, std::string last_modified) {
    if (::ftruncate(fd_, 0) != 0) return file_error(part_, "cannot empty", errno);
    offset_ = 0;
    meta_.etag = std::move(etag);
    meta_.last_modified = std::move(last_modified);
    meta_.committed = 0;
    return write_meta();
}

Expected<void> PartFile::write(const char* data, std::size_t size) {
    if (size > meta_.size - offset_)
        return make_error(std::string(reason::too_large),
                          "refusing to write past the expected size of " +
                              std::to_string(meta_.size) + " bytes into " + part_.string());
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n =
            ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset_ + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            // All or nothing: the caller hashes whole chunks, so a half-written one goes.
            static_cast<void>(::ftruncate(fd_, static_cast<off_t>(offset_)));
            return file_error(part_, "cannot write", err);
        }
        done += static_cast<std::size_t>(n);
    }
    offset_ += size;
    return {};
}

Expected<void> PartFile::commit() {
    if (!meta_written_ || offset_ == meta_.committed) return {};
    if (::fdatasync(fd_) != 0) return file_error(part_, "cannot sync", errno);
    meta_.committed = offset_;
    return write_meta();
}

Expected<std::size_t> PartFile::read_at(std::uint64_t at, char* data, std::size_t size) const {
    for (;;) {
        const ssize_t n = ::pread(fd_, data, size, static_cast<off_t>(at));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return file_error(part_, "cannot read", errno);
        return static_cast<std::size_t>(n);
    }
}

Expected<void> PartFile::finish() {
    if (::fsync(fd_) != 0) return file_error(part_, "cannot sync", errno);
    if (::rename(part_.c_str(), destination_.c_str()) != 0)
        return file_error(destination_, "cannot rename the download to", errno);
    // Removing the meta syncs the directory, which makes the rename durable too. Every finished
    // file has one: bytes are only written after a 200 (restart() writes it) or on a resume of
    // a file that had one.
    auto removed = common::remove_file_durably(meta_path_);
    if (!removed) return std::unexpected(classify_meta_error(removed.error()));
    return {};
}

void PartFile::discard() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    ::unlink(part_.c_str());
    ::unlink(meta_path_.c_str());
    offset_ = 0;
}

Expected<std::uint64_t> free_space(const std::filesystem::path& directory) {
    struct statvfs vfs {};
    if (::statvfs(directory.c_str(), &vfs) != 0) {
        return make_error(
            std::string(reason::download_failed),
            "cannot read the free space of " + directory.string() + ": " + std::strerror(errno));
    }
    return static_cast<std::uint64_t>(vfs.f_bavail) * static_cast<std::uint64_t>(vfs.f_frsize);
}

}  // namespace lintel::ota
