// The telemetry data model shared by plugins, the store and the uplink.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace lintel::sdk {

enum class Quality : std::uint8_t { good = 0, stale = 1, error = 2 };

// bool / int / double / string, in this order (the index is persisted by the store).
using Value = std::variant<bool, std::int64_t, double, std::string>;

struct PointValue {
    std::string device;
    std::string point;
    Value value;
    std::string unit;  // empty: no unit
    Quality quality = Quality::good;
    std::int64_t ts_ms = 0;  // Unix time in milliseconds, taken at read time
};

constexpr std::string_view to_string(Quality q) {
    switch (q) {
        case Quality::good:
            return "good";
        case Quality::stale:
            return "stale";
        case Quality::error:
            return "error";
    }
    return "error";
}

// Wall clock in Unix milliseconds, for stamping values at read time.
std::int64_t now_unix_ms();

}  // namespace lintel::sdk
