// Reading a JWS for lintel-sign's verify subcommands: from a file or stdin, bounded.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "lintel/error.hpp"

namespace lintel::sign {

// The whole of `path` (stdin when nullopt), minus one trailing "\n" or "\r\n" (what echo,
// editors and mosquitto_sub add). More than max_bytes (after that) is cmd.too_large.
Expected<std::string> read_jws_input(const std::optional<std::filesystem::path>& path,
                                     std::size_t max_bytes);

}  // namespace lintel::sign
