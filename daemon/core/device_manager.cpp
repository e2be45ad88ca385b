// Per-device runtime (the DeviceHost a plugin talks to) and the device lifecycle.
#include "core/device_manager.hpp"

namespace lintel::core {

class DeviceManager::Runtime final : public sdk::DeviceHost {
public:
    Runtime(asio::any_io_executor executor, DaemonLogger& log, const DeviceEntry& entry,
            PointSink& sink, PointObserver& observe)
        : executor_(std::move(executor)),
          log_(log, {{"DEVICE", entry.name}, {"DRIVER", entry.driver}}),
          sink_(sink),
          observe_(observe),
          entry_(entry) {
        status_.name = entry.name;
        status_.driver = entry.driver;
        if (entry.report) filter_.emplace(*entry.report);
    }

    asio::any_io_executor executor() override { return executor_; }

    void publish(std::vector<sdk::PointValue> values) override {
        if (stopped_ || values.empty()) return;
        // The device name is the host's business: a plugin cannot publish for another device.
        for (auto& v : values) v.device = status_.name;
        // Every value read is the point's latest (read-point, lintelctl points), reported or not.
        if (observe_) {
            for (const auto& v : values) observe_(v);
        }
        if (filter_) {
            const auto now = ReportFilter::Clock::now();
            std::erase_if(values,
                          [&](const sdk::PointValue& v) { return !filter_->admit(v, now); });
            status_.points_suppressed = filter_->suppressed();
            warn_unseen(now);
            if (values.empty()) return;
        }
        status_.points_published += values.size();
        sink_(std::move(values));
    }

    void report_health(sdk::Health health, std::string_view detail) override {
        if (health == status_.health && detail == status_.detail) return;
        status_.health = health;
        status_.detail = std::string(detail);
        const auto level = health == sdk::Health::ok ? sdk::LogLevel::info : sdk::LogLevel::warning;
        log_.log(level, "device health changed",
                 {{"HEALTH", sdk::to_string(health)}, {"DETAIL", status_.detail}});
    }

    sdk::Logger& log() override { return log_; }

    void expose_writable(sdk::WritablePoint point) override {
        writable_.push_back(std::move(point));
    }

    const DeviceEntry& entry() const { return entry_; }

    std::unique_ptr<sdk::Device> device;
    DeviceStatus status_;
    std::vector<sdk::WritablePoint> writable_;
    bool stopped_ = false;

private:
    // The host does not know a driver's points, so a name in report.points that never shows up
    // (a typo) can only be noticed at run time: once, a while after the first values.
    void warn_unseen(ReportFilter::Clock::time_point now) {
        if (unseen_checked_) return;
        if (!first_publish_) first_publish_ = now;
        if (now - *first_publish_ < k_unseen_point_grace) return;
        unseen_checked_ = true;
        for (const auto& name : filter_->unseen_points()) {
            log_.warning("report.points names a point this device never published",
                         {{"POINT", name}});
        }
    }

    static constexpr std::chrono::seconds k_unseen_point_grace{60};

    asio::any_io_executor executor_;
    ScopedLogger log_;
    std::optional<ReportFilter> filter_;
    std::optional<ReportFilter::Clock::time_point> first_publish_;
    bool unseen_checked_ = false;
    PointSink& sink_;
    PointObserver& observe_;
    DeviceEntry entry_;  // to build the device again (restart)
};

DeviceManager::DeviceManager(asio::any_io_executor executor, PluginHost& plugins, DaemonLogger& log,
                             PointSink sink, PointObserver observe)
    : executor_(std::move(executor)),
      plugins_(plugins),
      log_(log),
      sink_(std::move(sink)),
      observe_(std::move(observe)) {}

DeviceManager::~DeviceManager() { stop_all(); }

void DeviceManager::build(const std::vector<DeviceEntry>& devices,
                          sdk::ConfigErrors& config_errors) {
    for (const DeviceEntry& entry : devices) {
        if (!entry.enabled) {
            log_.info("device disabled in config", {{"DEVICE", entry.name}});
            continue;
        }
        auto driver = plugins_.driver(entry.driver);
        if (!driver) {
            log_.error("device not started: its driver plugin is unavailable",
                       {{"DEVICE", entry.name},
                        {"DRIVER", entry.driver},
                        {"REASON", driver.error().message}});
            continue;
        }
        if (auto runtime = create(**driver, entry, config_errors)) {
            devices_.push_back(std::move(runtime));
        }
    }
}

std::unique_ptr<DeviceManager::Runtime> DeviceManager::create(sdk::Driver& driver,
                                                              const DeviceEntry& entry,
                                                              sdk::ConfigErrors& config_errors) {
    auto runtime = std::make_unique<Runtime>(executor_, log_, entry, sink_, observe_);
    sdk::DeviceSpec spec{entry.name, entry.settings};
    const std::size_t before = config_errors.size();
    runtime->device = driver.create(spec, *runtime, config_errors);
    if (runtime->device == nullptr) {
        if (config_errors.size() == before) {
            config_errors.add(entry.node, "driver \"" + entry.driver +
                                              "\" refused the device without saying why");
        }
        return nullptr;
    }
    return runtime;
}

Expected<void> DeviceManager::restart(const std::string& name) {
    for (auto& slot : devices_) {
        if (slot->status_.name != name) continue;
        auto driver = plugins_.driver(slot->entry().driver);
        if (!driver) return std::unexpected(driver.error());
        // A fresh device and host: drivers need not support start() after stop(), and the
        // old one's health and writable points must not linger.
        sdk::ConfigErrors errors;
        auto fresh = create(**driver, slot->entry(), errors);
        if (!fresh) return make_error("device.restart", name + ": " + errors.to_string());
        if (!slot->stopped_) slot->device->stop();
        slot->stopped_ = true;
        slot = std::move(fresh);  // the old device promised no more calls after stop()
        slot->device->start();
        log_.info("device restarted", {{"DEVICE", name}});
        return {};
    }
    return make_error("device.unknown", "no device \"" + name + "\"");
}

void DeviceManager::start_all() {
    for (auto& d : devices_) {
        d->stopped_ = false;
        d->device->start();
    }
}

void DeviceManager::stop_all() {
    for (auto& d : devices_) {
        if (d->stopped_) continue;
        d->device->stop();
        d->stopped_ = true;
    }
}

std::size_t DeviceManager::healthy_count() const {
    std::size_t n = 0;
    for (const auto& d : devices_) n += d->status_.health == sdk::Health::ok ? 1U : 0U;
    return n;
}

std::vector<DeviceStatus> DeviceManager::statuses() const {
    std::vector<DeviceStatus> out;
    for (const auto& d : devices_) out.push_back(d->status_);
    return out;
}

std::map<std::string, std::vector<sdk::WritablePoint>> DeviceManager::writable_points() const {
    std::map<std::string, std::vector<sdk::WritablePoint>> out;
    for (const auto& d : devices_) out[d->status_.name] = d->writable_;
    return out;
}

sdk::Device* DeviceManager::find(const std::string& name) {
    for (auto& d : devices_) {
        if (d->status_.name == name) return d->device.get();
    }
    return nullptr;
}

}  // namespace lintel::core
