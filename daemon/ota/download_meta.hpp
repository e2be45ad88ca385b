// The small text file beside <destination>.part that makes a later resume safe: which artifact
// the bytes belong to, the validators the server gave, and how many bytes are known on disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::ota {

struct PartMeta {
    std::string resource;       // HttpsUrl::redacted(): a different artifact never resumes
    std::uint64_t size = 0;     // the expected size
    std::string etag;           // as the server sent it first ("" if none)
    std::string last_modified;  // as the server sent it first ("" if none)
    std::uint64_t committed =
        0;  // bytes of .part flushed to disk (fdatasync) when this was written

    bool operator==(const PartMeta&) const = default;
};

// Line format, one "key value" per line, first line "lintel-ota-part 1" (docs/ota.md).
std::string serialise_part_meta(const PartMeta& meta);
// Strict: unknown or repeated keys, missing resource/size/committed, committed > size, values
// that are not one printable line, more than 4 KiB: error (the caller then starts from 0).
// Error code: ota.download_failed.
Expected<PartMeta> parse_part_meta(std::string_view text);

}  // namespace lintel::ota
