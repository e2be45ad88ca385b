// Status payloads (JSON, keys in a fixed order for readability in broker tools).
#include "uplink/status.hpp"

#include <nlohmann/json.hpp>

namespace lintel::uplink {

std::string online_status_json(const StatusInfo& info) {
    nlohmann::ordered_json j;
    j["state"] = "online";
    j["gateway"] = info.gateway;
    j["version"] = info.version;
    j["since"] = info.since_ms;
    j["queued_points"] = info.buffer.queued_points;
    j["dropped_total"] = info.buffer.dropped_total;
    j["dropped_by_device"] = nlohmann::ordered_json::object();
    for (const auto& [device, n] : info.buffer.dropped_by_device)
        j["dropped_by_device"][device] = n;
    j["ingest_overflow"] = info.buffer.ingest_overflow;
    j["connects"] = info.connects;
    j["disconnects"] = info.disconnects;
    if (!info.extra_json.empty()) {
        auto extra = nlohmann::ordered_json::parse(info.extra_json, nullptr, false);
        if (extra.is_object()) {
            for (auto& [key, value] : extra.items()) {
                if (!j.contains(key)) j[key] = value;  // the session's own fields win
            }
        }
    }
    // replace: a device name with invalid UTF-8 must not throw from the network path.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string offline_status_json(std::string_view gateway) {
    nlohmann::ordered_json j;
    j["state"] = "offline";
    j["gateway"] = gateway;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lintel::uplink
