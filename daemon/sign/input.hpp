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

// --arg-file's limit: the largest command a gateway accepts is 128 KiB.
inline constexpr std::size_t k_max_arg_file_bytes = 128 * 1024;

// The whole of `path` as it is (no newline trimmed), valid UTF-8 (it becomes a JSON string);
// errors (sign.usage) name the file.
Expected<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace lintel::sign
