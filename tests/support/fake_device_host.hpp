// Test double of sdk::DeviceHost: records what a device publishes, reports and logs, on a loop
// the test runs itself. Shared by the driver tests (modbus, http, ...).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lintel/plugin.hpp"
#include "support/capture_logger.hpp"

namespace lintel::test {

struct HealthReport {
    sdk::Health health;
    std::string detail;
};

class FakeHost : public sdk::DeviceHost {
public:
    FakeHost(asio::io_context& io, std::string name) : io_(io), logger_(std::move(name)) {}

    asio::any_io_executor executor() override { return io_.get_executor(); }
    void publish(std::vector<sdk::PointValue> values) override {
        ++publish_calls;
        for (auto& v : values) published.push_back(std::move(v));
    }
    void report_health(sdk::Health health, std::string_view detail) override {
        health_reports.push_back(HealthReport{health, std::string(detail)});
    }
    sdk::Logger& log() override { return logger_; }
    void expose_writable(sdk::WritablePoint point) override {
        writable.push_back(std::move(point));
    }

    // ---- inspection, from the test thread between loop slices ----

    std::optional<sdk::PointValue> latest(const std::string& point) const {
        for (auto it = published.rbegin(); it != published.rend(); ++it) {
            if (it->point == point) return *it;
        }
        return std::nullopt;
    }
    bool has_good(const std::string& point) const {
        auto v = latest(point);
        return v && v->quality == sdk::Quality::good;
    }
    bool latest_is(const std::string& point, sdk::Quality q) const {
        auto v = latest(point);
        return v && v->quality == q;
    }
    std::size_t count(const std::string& point, sdk::Quality q) const {
        std::size_t n = 0;
        for (const auto& v : published) {
            if (v.point == point && v.quality == q) ++n;
        }
        return n;
    }
    std::optional<sdk::Health> health() const {
        if (health_reports.empty()) return std::nullopt;
        return health_reports.back().health;
    }
    std::size_t reports_of(sdk::Health h) const {
        std::size_t n = 0;
        for (const auto& r : health_reports) {
            if (r.health == h) ++n;
        }
        return n;
    }
    const CaptureLogger& logs() const { return logger_; }

    std::vector<sdk::PointValue> published;
    std::size_t publish_calls = 0;
    std::vector<HealthReport> health_reports;
    std::vector<sdk::WritablePoint> writable;

private:
    asio::io_context& io_;
    CaptureLogger logger_;
};

}  // namespace lintel::test
