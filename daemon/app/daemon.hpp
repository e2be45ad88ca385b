// The running daemon: owns the loop, the store, the devices and the uplink, and handles signals.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "app/app.hpp"
#include "app/config_applier.hpp"
#include "app/identity_runtime.hpp"
#include "app/credentials_runtime.hpp"
#include "app/ota_runtime.hpp"
#include "commands/command_service.hpp"
#include "control/control_server.hpp"
#include "core/config.hpp"
#include "core/device_manager.hpp"
#include "core/logging.hpp"
#include "core/plugin_host.hpp"
#include "core/systemd_notifier.hpp"
#include "lintel/asio.hpp"
#include "store/command_store.hpp"
#include "store/store_service.hpp"
#include "uplink/session.hpp"

#include <boost/asio/signal_set.hpp>

namespace lintel::app {

class DaemonServices;

// The latest value of every point, as read (for read-point and lintelctl points).
using LatestValues = std::map<std::pair<std::string, std::string>, sdk::PointValue>;

class Daemon {
public:
    Daemon(RunOptions options, core::Config config, core::DaemonLogger& log);
    ~Daemon();

    // Runs until SIGTERM/SIGINT; returns the exit code.
    int run();

private:
    friend class DaemonServices;  // what commands and lintelctl may see and do
                                  // (daemon_services.cpp)

    bool start();
    // A configuration left on trial by apply-config when linteld stopped is rolled back before
    // anything starts (the journal beside the buffer says so); false: cannot go on.
    bool recover_unconfirmed_apply();
    ApplyJournal apply_journal() const;
    // Writes one configuration file through lintel-helper (apply-config and its rollback).
    void write_config_file(const std::string& file, const std::optional<std::string>& content,
                           std::function<void(Expected<nlohmann::json>)> done);
    // The devices of `config`, built (each plugin checks its keys) but not started.
    std::pair<std::unique_ptr<core::PluginHost>, std::unique_ptr<core::DeviceManager>>
    build_devices(const core::Config& config, sdk::ConfigErrors& errors);
    // Applies the configuration on disk as SIGHUP does; the errors when it was rejected.
    Expected<void> apply_reload(sdk::ConfigErrors& errors);
    void start_control();
    // OTA updates when the `ota:` section is present: ota.db opened, an unsettled update
    // resumed. A failure is logged and OTA stays off; the gateway's other work goes on.
    void start_ota();
    // Delivered credentials when the `credentials:` section is present (and the device identity
    // and sealed store open); else set-credentials is refused with cred.disabled.
    void start_credentials();
    // The command service for the current config and credentials, or none (disabled, or the
    // gateway key cannot sign results: logged).
    void build_command_service();
    // Drops the command service; one with an action still running (apply-config on trial) is
    // kept until that action has been accounted for.
    void retire_command_service();
    void ingest(std::vector<sdk::PointValue> values);
    void on_signal(int signo);
    void reload();
    void begin_shutdown(const char* why);
    void finish_shutdown();
    void start_uplink();
    // The uplink identity's lifecycle (certificate renewal, claim provisioning, set-crl); a
    // failure is logged and the uplink uses uplink.tls as configured.
    void start_identity();
    // Replaces the running uplink session (new settings, credentials or identity); a swap
    // already under way picks up the current state when it ends.
    void restart_uplink(const std::string& why);
    // True when the uplink can start although uplink.tls files are missing: an issued or claim
    // identity stands in for the factory certificate and key.
    bool identity_covers_missing() const;
    // Starts the uplink, or, while credential files are missing, waits for them (re-checked
    // every few seconds and on reload) with devices polled and telemetry buffered meanwhile.
    void start_uplink_or_wait();
    void arm_provisioning_check();
    void check_provisioning();
    void arm_status_timer();
    std::string status_line() const;
    std::map<std::filesystem::path, std::filesystem::file_time_type> credential_stamps(
        const core::Config& c) const;

    RunOptions options_;
    core::Config config_;
    core::DaemonLogger& log_;
    asio::io_context io_;
    boost::asio::signal_set signals_;
    asio::steady_timer status_timer_;
    asio::steady_timer shutdown_deadline_;
    asio::steady_timer provisioning_timer_;
    core::SystemdNotifier notifier_;
    std::unique_ptr<store::StoreService> store_;
    std::unique_ptr<store::CommandStore> command_store_;
    std::unique_ptr<DaemonServices> services_;
    std::unique_ptr<commands::CommandService> command_service_;
    std::vector<std::unique_ptr<commands::CommandService>> retiring_command_services_;
    // The outcome of an apply-config rolled back at start-up, reported once commands run.
    std::optional<commands::LateOutcome> late_outcome_;
    std::unique_ptr<core::ScopedLogger> apply_log_;
    std::unique_ptr<ConfigApplier> applier_;
    std::unique_ptr<core::ScopedLogger> control_log_;
    std::unique_ptr<core::ScopedLogger> commands_log_;
    std::unique_ptr<control::ControlServer> control_;
    std::unique_ptr<core::ScopedLogger> ota_log_;
    std::unique_ptr<OtaRuntime> ota_;
    std::unique_ptr<core::ScopedLogger> identity_log_;
    std::unique_ptr<IdentityRuntime> identity_;
    std::unique_ptr<core::ScopedLogger> credentials_log_;
    std::unique_ptr<CredentialsRuntime> credentials_;
    LatestValues latest_;
    std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
    std::unique_ptr<core::PluginHost> plugins_;
    std::unique_ptr<core::DeviceManager> devices_;
    std::unique_ptr<core::ScopedLogger> uplink_log_;
    std::unique_ptr<uplink::Session> uplink_;
    std::map<std::filesystem::path, std::filesystem::file_time_type> credential_stamps_;
    // While not provisioned: what STATUS= says instead of the link state, and the last problem
    // logged (so a wrong key mode is logged once, not every check).
    std::string provisioning_note_;
    std::string logged_credential_problem_;
    bool swapping_uplink_ = false;  // a reload stops the old session before starting the new
    bool stopping_ = false;
    bool stopped_ = false;
    int exit_code_ = kExitOk;
};

}  // namespace lintel::app
