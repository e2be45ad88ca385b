// The retained status message ({prefix}/{gateway}/status) and the Last Will payload.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/buffer_stats.hpp"

namespace lintel::uplink {

struct StatusInfo {
    std::string gateway;
    std::string version;
    std::int64_t since_ms = 0;  // Unix ms when this connection came up
    store::BufferStats buffer;
    std::uint64_t connects = 0;     // successful connections since the daemon started
    std::uint64_t disconnects = 0;  // connections lost since the daemon started
    // A JSON object from the daemon (devices' health, certificate expiry, commands) whose
    // members are added after the fields above; empty: none.
    std::string extra_json;
};

// {"state":"online","gateway":ID,"version":V,"since":MS,"queued_points":N,"dropped_total":N,
//  "dropped_by_device":{DEV:N},"ingest_overflow":N,"connects":N,"disconnects":N}
std::string online_status_json(const StatusInfo& info);
// {"state":"offline","gateway":ID} — the Last Will, and what a clean shutdown publishes.
std::string offline_status_json(std::string_view gateway);

}  // namespace lintel::uplink
