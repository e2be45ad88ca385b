// File access for keys and certificates (see key_files.hpp).
#include "commands/key_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string.h>  // explicit_bzero
#include <cerrno>
#include <cstring>
#include <utility>

#include "commands/reason_codes.hpp"
#include "common/file_mode.hpp"

namespace lintel::commands {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes on scope exit.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&&) = delete;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

// Opens a regular file for reading and returns its fd and stat.
Expected<Fd> open_regular(const std::filesystem::path& path, std::string_view what,
                          std::string_view code, struct stat& st) {
    // O_NONBLOCK: a FIFO at the path must not hang the open (it is refused below); it has no
    // effect on reading a regular file.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        const int err = errno;
        return make_error(std::string(code), "cannot open " + std::string(what) + " " +
                                                 path.string() + ": " + errno_text(err));
    }
    if (::fstat(fd.get(), &st) != 0) {
        const int err = errno;
        return make_error(std::string(code), "cannot stat " + std::string(what) + " " +
                                                 path.string() + ": " + errno_text(err));
    }
    if (!S_ISREG(st.st_mode)) {
        return make_error(std::string(code),
                          std::string(what) + " " + path.string() + " is not a regular file");
    }
    return Expected<Fd>(std::in_place, fd.release());
}

// Reads up to k_max_key_file_bytes + 1 bytes into `buffer` (already that large); returns the
// count, or an error when the file is larger than the bound.
Expected<std::size_t> read_bounded(int fd, char* buffer, const std::filesystem::path& path,
                                   std::string_view what, std::string_view code) {
    std::size_t used = 0;
    const std::size_t capacity = k_max_key_file_bytes + 1;
    while (used < capacity) {
        const ssize_t n = ::read(fd, buffer + used, capacity - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            return make_error(std::string(code), "cannot read " + std::string(what) + " " +
                                                     path.string() + ": " + errno_text(err));
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    if (used > k_max_key_file_bytes) {
        return make_error(std::string(code), std::string(what) + " " + path.string() +
                                                 " is larger than " +
                                                 std::to_string(k_max_key_file_bytes) + " bytes");
    }
    return used;
}

}  // namespace

SecretText::SecretText(SecretText&& other) noexcept
    : buffer_(std::move(other.buffer_)), size_(std::exchange(other.size_, 0)) {}

SecretText& SecretText::operator=(SecretText&& other) noexcept {
    if (this != &other) {
        wipe();
        buffer_ = std::move(other.buffer_);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

SecretText::~SecretText() { wipe(); }

void SecretText::wipe() {
    if (!buffer_.empty()) explicit_bzero(buffer_.data(), buffer_.size());
    size_ = 0;
}

Expected<std::string> read_public_file(const std::filesystem::path& path, std::string_view what) {
    struct stat st {};
    auto fd = open_regular(path, what, error::key_unreadable, st);
    if (!fd) return std::unexpected(fd.error());
    std::string text(k_max_key_file_bytes + 1, '\0');
    auto used = read_bounded(fd->get(), text.data(), path, what, error::key_unreadable);
    if (!used) return std::unexpected(used.error());
    text.resize(*used);
    return text;
}

Expected<SecretText> read_private_file(const std::filesystem::path& path, std::string_view what) {
    struct stat st {};
    auto fd = open_regular(path, what, error::key_unreadable, st);
    if (!fd) return std::unexpected(fd.error());
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return make_error(
            std::string(error::key_insecure),
            std::string(what) + " " + path.string() + " is accessible by group or others (mode " +
                common::octal_mode(st.st_mode) + "); fix it with: chmod 600 " + path.string());
    }
    SecretText secret;
    // Sized once: growing would reallocate and leave an unwiped copy behind.
    secret.buffer_.resize(k_max_key_file_bytes + 1);
    auto used = read_bounded(fd->get(), secret.buffer_.data(), path, what, error::key_unreadable);
    if (!used) return std::unexpected(used.error());
    secret.size_ = *used;
    return secret;
}

Expected<void> write_new_file(const std::filesystem::path& path, std::string_view data,
                              mode_t mode) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (fd.get() < 0) {
        const int err = errno;
        if (err == EEXIST) {
            return make_error(std::string(error::file_exists),
                              path.string() + " already exists; refusing to overwrite it");
        }
        return make_error(std::string(error::io),
                          "cannot create " + path.string() + ": " + errno_text(err));
    }
    auto fail = [&](std::string what) -> Expected<void> {
        const int err = errno;
        ::unlink(path.c_str());
        return make_error(std::string(error::io),
                          what + " " + path.string() + ": " + errno_text(err));
    };
    // open() applied the umask; the mode must be exactly what was asked for.
    if (::fchmod(fd.get(), mode) != 0) return fail("cannot set the mode of");
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail("cannot write");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail("cannot sync");
    if (::close(fd.release()) != 0) return fail("cannot close");
    return {};
}

}  // namespace lintel::commands
