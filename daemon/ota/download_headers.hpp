// The HTTP header values a resumed download depends on: Content-Range and the If-Range validator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lintel::ota {

// "bytes FIRST-LAST/COMPLETE" (RFC 9110 14.4); COMPLETE may be "*" (unknown).
struct ContentRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;                      // inclusive, >= first
    std::optional<std::uint64_t> complete_size;  // > last when known
};

// Nothing for anything else: "bytes */N" (a 416's form), extra parameters, overflowing numbers.
std::optional<ContentRange> parse_content_range(std::string_view value);

// A strong entity tag ("xyz", not W/"xyz") of printable ASCII: the only kind If-Range may carry.
bool is_strong_etag(std::string_view etag);

// What to send in If-Range when resuming: the strong ETag if there is one, else Last-Modified,
// else "" (no validator: resume on Range alone, see docs/ota.md).
std::string if_range_validator(std::string_view etag, std::string_view last_modified);

// Header values kept in .part.meta must be one printable line: anything else is dropped ("").
std::string storable_header_value(std::string_view value);

}  // namespace lintel::ota
