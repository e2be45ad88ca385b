// Counters of the store-and-forward buffer, reported in STATUS= and the status message.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace lintel::store {

struct BufferStats {
    std::uint64_t queued_points = 0;   // accepted, not yet acknowledged by the broker
    std::uint64_t queued_bytes = 0;    // what counts against buffer.max_bytes
    std::uint64_t accepted_total = 0;  // since start of this process
    std::uint64_t acked_total = 0;     // points acknowledged since start of this process
    std::uint64_t dropped_total = 0;   // since the database was created (persisted)
    std::map<std::string, std::uint64_t> dropped_by_device;  // persisted
    std::uint64_t ingest_overflow =
        0;  // points refused before commit because the writer fell behind
    std::uint64_t next_seq = 0;
};

}  // namespace lintel::store
