// Encodes telemetry messages for the broker (format: docs/payloads.md) and measures them exactly,
// so the store can cut batches that never exceed the uplink's message size limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lintel/point.hpp"

namespace lintel::uplink {

// One element of the "points" array, exactly as it appears in a message:
// {"device":D,"point":P,"value":V,"ts":MS,"unit":U,"quality":Q} ("unit" left out when empty).
// Non-finite doubles are not JSON: they are sent as null with quality "error".
// Invalid UTF-8 in any string is replaced by U+FFFD, never thrown.
std::string encode_point(const sdk::PointValue& point);
std::size_t encoded_point_size(const sdk::PointValue& point);

// Size of a message carrying no points. A message with n points has size
// telemetry_envelope_size + sum(encoded_point_size) + (n - 1) commas.
std::size_t telemetry_envelope_size(std::string_view gateway_id, std::uint64_t seq);

// {"gateway":ID,"seq":N,"points":[...]}
std::string encode_telemetry(std::string_view gateway_id, std::uint64_t seq,
                             std::span<const sdk::PointValue> points);

// Builds one message point by point; used by the store to cut a batch at a byte limit without
// encoding anything twice.
class TelemetryBuilder {
public:
    // `reserve`: expected message size, to spare reallocations.
    TelemetryBuilder(std::string_view gateway_id, std::uint64_t seq, std::size_t reserve = 1024);

    // Size of the message if finished now.
    std::size_t size() const { return out_.size() + 2; }
    std::size_t points() const { return points_; }
    // Size the message would have with `encoded` (from encode_point) added.
    std::size_t size_with(std::string_view encoded) const {
        return size() + encoded.size() + (points_ > 0 ? 1 : 0);
    }
    void add_encoded(std::string_view encoded);
    void add(const sdk::PointValue& point);
    // Adds the point only if the finished message stays within max_bytes; no temporary string.
    bool try_add(const sdk::PointValue& point, std::size_t max_bytes);
    std::string finish() &&;

private:
    std::string out_;
    std::size_t points_ = 0;
};

}  // namespace lintel::uplink
