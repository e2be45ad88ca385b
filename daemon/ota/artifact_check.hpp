// Checking a downloaded artifact against its manifest entry: size first (cheap, and it names a
// truncated or padded download as such), then SHA-256 streamed in chunks (artifacts may be far
// larger than memory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "lintel/error.hpp"
#include "ota/manifest.hpp"

namespace lintel::ota {

struct FileDigest {
    std::uint64_t size = 0;
    std::string sha256;  // 64 lower-case hex digits
};

// Size and SHA-256 of a regular file (symlinks are not followed). Errors: ota.io (cannot open,
// not a regular file, read error), ota.too_large (more than max_bytes; reading stops there).
Expected<FileDigest> digest_file(const std::filesystem::path& path, std::uint64_t max_bytes);

// Errors: ota.io (as above), ota.size_mismatch (the file is shorter or longer than
// artifact.size; checked before hashing and again while reading), ota.hash_mismatch.
Expected<void> check_artifact_file(const std::filesystem::path& path, const Artifact& artifact);

}  // namespace lintel::ota
