// What cloud commands (commands::GatewayOps) and lintelctl (control::ControlService) may see
// and do in the running daemon: one facade over Daemon's parts, so neither module reaches into
// the daemon otherwise. Everything runs on the daemon's loop.
#pragma once

#include <nlohmann/json.hpp>

#include "app/config_applier.hpp"
#include "commands/gateway_ops.hpp"
#include "control/control_service.hpp"

namespace lintel::app {

class Daemon;

class DaemonServices final : public commands::GatewayOps,
                             public control::ControlService,
                             public ConfigApplyHost {
public:
    explicit DaemonServices(Daemon& daemon) : d_(daemon) {}

    // The status document both sides share (also the cloud's get-status).
    nlohmann::json status_document() const;
    nlohmann::json points_document(const std::optional<std::string>& device) const;

    // commands::GatewayOps
    nlohmann::json status() override { return status_document(); }
    nlohmann::json redacted_config() override;
    std::optional<sdk::WritablePoint> writable(std::string_view device,
                                               std::string_view point) override;
    std::optional<nlohmann::json> latest_value(std::string_view device,
                                               std::string_view point) override;
    bool has_device(std::string_view device) override;
    void write_point(const std::string& device, const std::string& point, const sdk::Value& value,
                     std::function<void(Expected<void>)> done) override;
    void set_log_level(sdk::LogLevel level) override;
    void reload_config(std::function<void(Expected<nlohmann::json>)> done) override;
    Expected<void> restart_device(const std::string& device) override;
    void apply_config(commands::ConfigChange change,
                      std::function<void(commands::ConfigChangeOutcome)> done) override;
    Expected<nlohmann::json> ota_update(const std::string& command_id,
                                        const std::string& manifest) override;
    Expected<nlohmann::json> ota_abort(const std::string& why) override;
    Expected<nlohmann::json> ota_status() override;
    Expected<nlohmann::json> renew_certificate(const std::string& why) override;
    Expected<nlohmann::json> set_crl(const std::string& pem) override;
    void set_credentials(const std::string& command_id, const std::string& kid,
                         const std::string& principal, std::string envelope,
                         std::function<void(commands::ConfigChangeOutcome)> done) override;

    // control::ControlService
    void status(Reply reply) override { reply(status_document()); }
    void queue(Reply reply) override;
    void points(std::optional<std::string> device, Reply reply) override;
    void audit(std::int64_t since_ms, std::uint32_t limit, Reply reply) override;
    void check_config(Reply reply) override;
    void reload(Reply reply) override;
    void set_log_level(sdk::LogLevel level, Reply reply) override;

    // ConfigApplyHost
    const core::Config& running_config() const override;
    const std::filesystem::path& config_path() const override;
    const std::filesystem::path& default_plugin_dir() const override;
    void validate_candidate(const core::Config& candidate, sdk::ConfigErrors& errors) override;
    Expected<void> reload(sdk::ConfigErrors& errors) override;
    bool uplink_connected() const override;
    std::string uplink_summary() const override;
    std::vector<core::DeviceStatus> device_statuses() const override;

private:
    Daemon& d_;
};

}  // namespace lintel::app
