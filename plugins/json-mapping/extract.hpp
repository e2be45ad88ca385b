// Turning one JSON payload into point values, one per mapped point, never throwing: a point
// that cannot be read gets quality=error and an Error saying why.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/point.hpp"
#include "mapping.hpp"

namespace lintel::jsonmap {

// Deeper payloads are refused while parsing (nothing downstream recurses without bound).
inline constexpr int k_max_nesting = 64;

struct Extraction {
    sdk::PointValue value;
    // Set when value.quality is error. Codes: mapping.not_json, mapping.missing,
    // mapping.wrong_type, mapping.out_of_range, mapping.bad_timestamp.
    std::optional<Error> error;
};

// One Extraction per mapping, in order. `now_ms` stamps values without a timestamp pointer.
// The value of an error sample is the zero of the point's type (false, 0, 0.0, "").
std::vector<Extraction> extract(std::string_view payload, std::span<const PointMapping> mappings,
                                std::string_view device, std::int64_t now_ms);

// The zero of the type a mapping publishes, used for error samples.
sdk::Value zero_value(const PointMapping& mapping);

}  // namespace lintel::jsonmap
