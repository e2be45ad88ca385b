// The mode check every private key file (and password file) passes before lintel reads it, and
// the reading of one-line secret files (device passwords).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::net {

// A file readable or writable by group or others is refused (STYLE: credential modes checked),
// as is one that cannot be stat()ed. Errors: `code`, with the path, its mode and the fix.
Expected<void> check_secret_file_mode(const std::filesystem::path& file, std::string_view what,
                                      std::string_view code);

// The content of a one-line secret file (a password) after check_secret_file_mode, without its
// trailing newline. Read at every use, so a rotated secret is picked up without a reload.
// Errors: `code`, naming the file, never its content.
Expected<std::string> read_secret_file(const std::filesystem::path& file, std::string_view what,
                                       std::string_view code);

}  // namespace lintel::net
