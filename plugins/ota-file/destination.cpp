// resolve_destination and parse_mode.
#include "destination.hpp"

#include <algorithm>

namespace lintel::ota::file {
namespace {

namespace codes = sdk::update_codes;

bool clean_absolute(std::string_view path) {
    if (!path.starts_with('/') || path.size() > 4096) return false;
    if (path.find('\0') != std::string_view::npos) return false;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        const auto part =
            path.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (part.empty() || part == "." || part == "..") return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

}  // namespace

Expected<sdk::FileRef> resolve_destination(std::string_view allowed_dirs,
                                           std::string_view destination) {
    if (!clean_absolute(destination)) {
        return make_error(std::string(codes::bad_params),
                          "params.destination must be an absolute path without \".\", \"..\" or "
                          "empty components");
    }
    std::size_t start = 0;
    while (start < allowed_dirs.size()) {
        auto colon = allowed_dirs.find(':', start);
        std::string_view dir =
            allowed_dirs.substr(start, colon == std::string_view::npos ? colon : colon - start);
        while (dir.size() > 1 && dir.ends_with('/')) dir.remove_suffix(1);
        if (clean_absolute(dir) && destination.size() > dir.size() + 1 &&
            destination.starts_with(dir) && destination[dir.size()] == '/') {
            return sdk::FileRef{std::string(dir), std::string(destination.substr(dir.size() + 1))};
        }
        if (colon == std::string_view::npos) break;
        start = colon + 1;
    }
    return make_error(std::string(codes::not_allowed),
                      std::string(destination) +
                          " is not inside a directory this helper allows "
                          "the file handler to write (setting "
                          "file.allowed_dirs: \"" +
                          std::string(allowed_dirs) + "\")");
}

Expected<std::uint32_t> parse_mode(std::string_view text) {
    if ((text.size() != 3 && text.size() != 4) ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        return make_error(std::string(codes::bad_params),
                          "params.mode must be 3 or 4 octal digits such as 0644");
    }
    std::uint32_t mode = 0;
    for (char c : text) mode = mode * 8 + static_cast<std::uint32_t>(c - '0');
    if (mode > 0777) {
        return make_error(std::string(codes::bad_params),
                          "params.mode must not set setuid, setgid or sticky bits");
    }
    return mode;
}

}  // namespace lintel::ota::file
