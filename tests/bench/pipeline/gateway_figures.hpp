// Pipeline benchmark: the figures measured for one gateway (linteld or the mosquitto bridge), and
// the bridge's measurement itself.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "cloud_side.hpp"
#include "support/pki.hpp"

namespace lintel::bench {

struct GatewayFigures {
    double ingest_rate = 0;        // points/s accepted from devices (into the gateway's queue)
    double ingest_cpu_per_1k = 0;  // ms of the gateway's CPU per 1k points ingested
    double drain_rate = 0;         // points/s of the backlog reaching the cloud
    double drain_cpu_per_1k = 0;   // ms of the gateway's CPU per 1k points drained
    double rss_backlog_mb = 0;     // RSS with the whole backlog queued, before the drain
    double rss_drain_mb = 0;       // max RSS sampled during the drain
    double first_point_ms = 0;     // cloud broker listening again -> first point at the cloud
    double ready_ms = 0;           // start with the backlog -> ready (accepting devices)
    double connected_ms = 0;       // bridge only: start, empty -> accepting + bridge connected
    double save_ms = 0;            // bridge only: SIGTERM with the backlog -> exited (saved)
    double rss_reloaded_mb = 0;    // bridge only: RSS after the restart loaded the backlog
    double outage_s = 0;           // how long the cloud was away after the gateway started
    bool ok = false;
    std::string error;
};

// The mosquitto-bridge gateway (tests/support/mosquitto_bridge.hpp): the cloud goes down, a device
// publishes `points` points with QoS 1 to the local broker (ingest), a graceful restart saves and
// reloads that backlog (start to ready), the cloud comes back `outage_after_start` after that
// start and the bridge drains the backlog (1 point per message); last, an empty restart measures
// start to accepting + bridge connected.
GatewayFigures measure_bridge(const std::filesystem::path& dir, const test::Pki& pki,
                              CloudSide& cloud, std::size_t points,
                              std::chrono::milliseconds outage_after_start);

}  // namespace lintel::bench
