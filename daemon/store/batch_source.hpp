// The seam between the store and the uplink: the uplink pulls encoded telemetry batches and
// acknowledges them; the store deletes rows only on acknowledgement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "lintel/error.hpp"

namespace lintel::store {

struct Batch {
    std::uint64_t seq = 0;  // per-gateway, monotonic, survives restarts; same seq when re-sent
    std::string payload;    // the encoded telemetry message (JSON, see docs/payloads.md)
    std::size_t points = 0;
    // Where it goes, under {prefix}/{gateway}/ ("audit", "events", "cmd/result"); empty: the
    // publisher's own topic (telemetry).
    std::string topic;
};

struct BatchLimits {
    std::size_t max_points = 500;
    std::size_t max_bytes = 64 * 1024;  // encoded payload size; must stay below 128 KiB
};

// Asynchronous: callbacks run on the executor the source was built with (the main loop).
class BatchSource {
public:
    virtual ~BatchSource() = default;
    // Next batch to send on this connection: first every unacknowledged batch in seq order
    // (after rewind()), then newly formed ones. nullopt when nothing is waiting.
    virtual void next_batch(BatchLimits limits,
                            std::function<void(Expected<std::optional<Batch>>)> done) = 0;
    // The broker acknowledged batch `seq`: its rows may go.
    virtual void acknowledge(std::uint64_t seq) = 0;
    // A new connection starts: unacknowledged batches are handed out again from the oldest.
    virtual void rewind() = 0;
    // Called (on the loop) whenever new points were committed, so an idle uplink can pull.
    virtual void on_data_available(std::function<void()> listener) = 0;
};

}  // namespace lintel::store
