// Where the file handler may write: params.destination checked against the helper's
// allowed_dirs setting, split into an allowed root and the path below it. No I/O (the fuzzer and
// unit tests use it); the helper's file operations then refuse symlinks below the root.
#pragma once

#include <string>
#include <string_view>

#include "lintel/update_handler.hpp"

namespace lintel::ota::file {

// `allowed_dirs`: absolute directories separated by ':' (the "allowed_dirs" setting).
// `destination`: an absolute path strictly below one of them, without "." or ".." components
// or "//". Errors: ota.not_allowed (outside, or no allowed_dirs), ota.bad_params (malformed).
Expected<sdk::FileRef> resolve_destination(std::string_view allowed_dirs,
                                           std::string_view destination);

// "0644" and the like (3 or 4 octal digits, no setuid/setgid/sticky): ota.bad_params otherwise.
Expected<std::uint32_t> parse_mode(std::string_view text);

}  // namespace lintel::ota::file
