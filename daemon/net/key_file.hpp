// The mode check every private key file (and password file) passes before lintel reads it.
#pragma once

#include <filesystem>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::net {

// A file readable or writable by group or others is refused (STYLE: credential modes checked),
// as is one that cannot be stat()ed. Errors: `code`, with the path, its mode and the fix.
Expected<void> check_secret_file_mode(const std::filesystem::path& file, std::string_view what,
                                      std::string_view code);

}  // namespace lintel::net
