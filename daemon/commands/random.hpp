// Random identifiers from the OS CSPRNG (through OpenSSL's DRBG).
#pragma once

#include <cstddef>
#include <string>

#include "lintel/error.hpp"

namespace lintel::commands {

// `bytes` random bytes as lower-case hex (2 * bytes characters): command ids, nonces.
Expected<std::string> random_hex(std::size_t bytes);

}  // namespace lintel::commands
