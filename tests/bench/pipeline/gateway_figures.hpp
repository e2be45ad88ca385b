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
    double ready_ms = 0;           // start -> ready (see the table's notes for each gateway)
    double outage_s = 0;           // how long the cloud was away while the gateway waited
    bool ok = false;
    std::string error;
};

// The mosquitto-bridge gateway (tests/support/mosquitto_bridge.hpp): the cloud goes down, a device
// publishes `points` points with QoS 1 to the local broker (ingest), the cloud comes back and the
// bridge drains the backlog (1 point per message), then a restart measures start to ready.
GatewayFigures measure_bridge(const std::filesystem::path& dir, const test::Pki& pki,
                              CloudSide& cloud, std::size_t points);

}  // namespace lintel::bench
