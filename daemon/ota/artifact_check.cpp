// Streaming size and SHA-256 checks of artifact files (see artifact_check.hpp).
#include "ota/artifact_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/sha256.hpp"
#include "common/unique_fd.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::ota {
namespace {

constexpr std::size_t k_chunk = 64 * 1024;

std::unexpected<Error> io_error(const std::filesystem::path& path, std::string_view step) {
    return make_error(std::string(reason::io),
                      std::string(step) + " " + path.string() + ": " + std::strerror(errno));
}

struct Opened {
    common::UniqueFd fd;
    std::uint64_t size = 0;
};

Expected<Opened> open_regular(const std::filesystem::path& path) {
    Opened out;
    out.fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!out.fd.valid()) return io_error(path, "cannot open");
    struct stat st {};
    if (::fstat(out.fd.get(), &st) != 0) return io_error(path, "cannot stat");
    if (!S_ISREG(st.st_mode)) {
        return make_error(std::string(reason::io), path.string() + " is not a regular file");
    }
    out.size = static_cast<std::uint64_t>(st.st_size);
    return out;
}

// Reads to the end (or past `limit`, where it stops), hashing what it reads.
Expected<FileDigest> hash_to_end(int fd, const std::filesystem::path& path, std::uint64_t limit) {
    common::Sha256 hash;
    std::array<char, k_chunk> buffer{};
    FileDigest out;
    while (true) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(path, "cannot read");
        }
        if (n == 0) break;
        out.size += static_cast<std::uint64_t>(n);
        if (out.size > limit) return out;  // the caller reports it; no point hashing more
        hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    auto hex = hash.finish_hex();
    if (!hex) return make_error(std::string(reason::io), hex.error().message);
    out.sha256 = std::move(*hex);
    return out;
}

}  // namespace

Expected<FileDigest> digest_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
    auto file = open_regular(path);
    if (!file) return std::unexpected(file.error());
    auto digest = hash_to_end(file->fd.get(), path, max_bytes);
    if (!digest) return digest;
    if (digest->size > max_bytes) {
        return make_error(std::string(reason::too_large), path.string() + " is larger than " +
                                                              std::to_string(max_bytes) + " bytes");
    }
    return digest;
}

Expected<void> check_artifact_file(const std::filesystem::path& path, const Artifact& artifact) {
    auto file = open_regular(path);
    if (!file) return std::unexpected(file.error());
    auto mismatch = [&](std::uint64_t size) {
        const std::string how = size < artifact.size ? "truncated" : "larger than declared";
        return make_error(std::string(reason::size_mismatch),
                          "artifact \"" + artifact.name + "\" (" + path.string() + ") is " + how +
                              ": " + std::to_string(size) + " bytes, the manifest says " +
                              std::to_string(artifact.size));
    };
    if (file->size != artifact.size) return mismatch(file->size);
    // The file could still change under us: what is hashed is what is counted.
    auto digest = hash_to_end(file->fd.get(), path, artifact.size);
    if (!digest) return std::unexpected(digest.error());
    if (digest->size != artifact.size) return mismatch(digest->size);
    if (digest->sha256 != artifact.sha256) {
        return make_error(std::string(reason::hash_mismatch),
                          "artifact \"" + artifact.name + "\" (" + path.string() +
                              ") has SHA-256 " + digest->sha256 + ", the manifest says " +
                              artifact.sha256);
    }
    return {};
}

}  // namespace lintel::ota
