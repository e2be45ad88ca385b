// Results as linteld's ControlService returns them (docs/lintelctl.md), shared by the
// rendering unit tests and the end-to-end tests' fake service.
#pragma once

#include <nlohmann/json.hpp>

namespace lintel::test {

// 2026-11-21T10:00:00Z
inline constexpr long long k_sample_ts = 1795255200000LL;

inline nlohmann::json sample_status() {
    return nlohmann::json::parse(R"json({
      "gateway_id": "gw-0042",
      "version": "0.1.0",
      "uptime_s": 93784,
      "link": {"state": "connected", "reason": "broker.example.net:8883"},
      "queue": {"points": 1234, "bytes": 98304},
      "drops": 0,
      "devices": [
        {"name": "meter-1", "health": "ok", "detail": ""},
        {"name": "boiler", "health": "failing", "detail": "timeout reading registers 0-9",
         "last_ok_ts": 1795255200000}
      ],
      "certificate": {"expires_in_days": 341, "not_after": "2027-10-28T10:00:00Z"},
      "last_command": {"action": "reboot", "ts": 1795255200000, "outcome": "ok"},
      "plugins": ["modbus"],
      "store_path": "/var/lib/lintel/buffer.db"
    })json");
}

inline nlohmann::json sample_queue() {
    return nlohmann::json::parse(R"json({
      "points": 1234, "bytes": 98304, "oldest_ts": 1795255200000, "in_flight": 10,
      "drops": 2, "capacity_bytes": 268435456
    })json");
}

inline nlohmann::json sample_points() {
    return nlohmann::json::parse(R"json({"points": [
      {"device": "meter-1", "point": "energy_total", "value": 12345.6, "unit": "kWh",
       "quality": "good", "ts": 1795255200000},
      {"device": "meter-1", "point": "power", "value": -3, "unit": "kW",
       "quality": "good", "ts": 1795255201000},
      {"device": "boiler", "point": "running", "value": true, "unit": "",
       "quality": "stale", "ts": 1795255140000}
    ]})json");
}

inline nlohmann::json sample_audit() {
    return nlohmann::json::parse(R"json({"entries": [
      {"ts": 1795255200000, "source": "local", "actor": "uid 0 (pid 4242)",
       "action": "reload", "outcome": "ok", "detail": ""},
      {"ts": 1795255260000, "source": "cloud", "actor": "ops@example.net",
       "action": "reboot", "outcome": "refused", "detail": "policy: not in maintenance window"}
    ], "more": true})json");
}

}  // namespace lintel::test
