// SHA-256 of a byte string, as sha256sum prints it; OpenSSL stays behind this header.
#pragma once

#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::helper {

// 64 lower-case hex digits. Errors (helper.internal) only if OpenSSL itself fails.
Expected<std::string> sha256_hex(std::string_view data);

}  // namespace lintel::helper
