// Component-by-component opens below a directory, refusing symlinks and "..".
#include "helper/beneath.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "helper/helper_log.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;

std::unexpected<Error> unsafe(std::string message) {
    return make_error(std::string(codes::unsafe_path), std::move(message));
}

}  // namespace

Expected<std::vector<std::string>> plain_components(const fs::path& relative) {
    const std::string text = relative.string();
    if (text.empty()) return unsafe("an empty path was given where a file name is needed");
    if (relative.is_absolute()) {
        return unsafe(log_quoted(text, 256) + " must be relative to its directory");
    }
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto slash = text.find('/', start);
        const std::string part =
            text.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..") {
            return unsafe(log_quoted(text, 256) +
                          " has an empty, \".\" or \"..\" component; only plain names are allowed");
        }
        out.push_back(part);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

Expected<OpenParent> open_parent_beneath(const fs::path& root, const fs::path& relative) {
    auto parts = plain_components(relative);
    if (!parts) return std::unexpected(parts.error());
    auto dir = OpenDirectory::open(root);
    if (!dir) return std::unexpected(dir.error());
    for (std::size_t i = 0; i + 1 < parts->size(); ++i) {
        auto child = dir->open_child((*parts)[i], std::nullopt);
        if (!child) return std::unexpected(child.error());
        if (!*child) {
            return make_error(std::string(codes::internal),
                              "directory " + (dir->path() / (*parts)[i]).string() + " is missing");
        }
        dir = std::move(**child);
    }
    return OpenParent{std::move(*dir), parts->back()};
}

Expected<std::optional<OpenFile>> open_regular(const OpenDirectory& dir, std::string_view name) {
    const std::string file(name);
    const fs::path shown = dir.path() / file;
    OpenFile out;
    out.fd.reset(::openat(dir.fd(), file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!out.fd.valid()) {
        const int err = errno;
        if (err == ENOENT) return std::nullopt;
        if (err == ELOOP) return unsafe(shown.string() + " is a symbolic link; refused");
        return make_error(std::string(codes::internal),
                          "cannot open " + shown.string() + ": " + std::strerror(err));
    }
    if (::fstat(out.fd.get(), &out.status) != 0) {
        return make_error(std::string(codes::internal),
                          "cannot inspect " + shown.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(out.status.st_mode)) {
        return unsafe(shown.string() + " is not a regular file; refused");
    }
    const int flags = ::fcntl(out.fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(out.fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
        return make_error(std::string(codes::internal),
                          "cannot use " + shown.string() + ": " + std::strerror(errno));
    }
    return std::optional<OpenFile>(std::move(out));
}

}  // namespace lintel::helper
