// linteld's OtaPorts: the real parts behind the OTA service. Manifests are checked with the
// configured release keys, artifacts fetched with the Beast downloader, installs run through
// lintel-helper's ota-* actions, health is judged from the uplink, events go out through the
// outbox (topic "ota").
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/ota_config.hpp"
#include "lintel/log.hpp"
#include "ota/download.hpp"
#include "ota/ota_ports.hpp"
#include "ota/release_keys.hpp"
#include "store/command_db.hpp"  // AuditRecord
#include "store/ota_db.hpp"

namespace lintel::app {

// The component that is linteld itself: its installed version is the running binary's, and
// it is healthy only once the running binary is the new version.
inline constexpr std::string_view k_self_component = "lintel";

// Used when ota.download.ca is not set: Debian's bundle of public CAs (package ca-certificates).
inline constexpr std::string_view k_system_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";

struct DaemonOtaHooks {
    // The uplink is connected to the broker now.
    std::function<bool()> uplink_connected;
    // Queues a message for {prefix}/{gateway}/{topic} through the durable outbox.
    std::function<void(std::string topic, std::string payload)> enqueue;
    // Appends a row to the audit log (commands.db): every update's outcome is accounted for
    // beside the ota-update command that started it (same command_id).
    std::function<void(store::AuditRecord)> audit;
    // The running linteld's version (version_string()).
    std::string running_version;
    // Test hook: the kernel's boot id; empty = /proc/sys/kernel/random/boot_id.
    std::function<std::string()> boot_id;
    // Test hook: the downloader's free-space probe (download.hpp); empty = statvfs.
    std::function<Expected<std::uint64_t>(const std::filesystem::path&)> free_space;
};

class DaemonOtaPorts final : public ota::OtaPorts {
public:
    // Loads the release keys of `settings`; a key that cannot be loaded is an error listing
    // every problem (the config loader reported them already at start or reload).
    static Expected<std::unique_ptr<DaemonOtaPorts>> create(asio::any_io_executor executor,
                                                            const core::OtaSettings& settings,
                                                            std::string gateway_id,
                                                            std::filesystem::path helper_socket,
                                                            store::OtaDb& db, DaemonOtaHooks hooks,
                                                            sdk::Logger& log);

    Expected<ota::UpdatePlan> accept(std::string_view manifest,
                                     const std::map<std::string, std::string>& floors) override;
    int compare_versions(std::string_view a, std::string_view b) override;

    asio::awaitable<Expected<void>> download(const ota::Artifact& artifact,
                                             const std::filesystem::path& destination,
                                             ota::ProgressFn progress) override;
    void cancel_download() override;
    Expected<void> check_artifact(const ota::Artifact& artifact,
                                  const std::filesystem::path& file) override;

    asio::awaitable<Expected<std::optional<std::string>>> installed_version(
        const ota::UpdatePlan& plan) override;
    asio::awaitable<Expected<ota::InstallOutcome>> install(
        const ota::UpdatePlan& plan, std::string_view manifest,
        const std::vector<std::filesystem::path>& files) override;
    asio::awaitable<Expected<void>> commit(const ota::UpdatePlan& plan) override;
    asio::awaitable<Expected<void>> rollback(const ota::UpdatePlan& plan) override;
    asio::awaitable<Expected<void>> reboot() override;
    std::string boot_id() override;

    bool healthy(const ota::UpdatePlan& plan) override;
    bool report(const nlohmann::json& event) override;

    // ota.* settings of a reload (release keys rotated, download settings changed); the update
    // under way continues with them. Errors leave the previous settings in force.
    Expected<void> update_settings(const core::OtaSettings& settings);

private:
    DaemonOtaPorts(asio::any_io_executor executor, core::OtaSettings settings,
                   ota::ReleaseKeys keys, std::string gateway_id,
                   std::filesystem::path helper_socket, store::OtaDb& db, DaemonOtaHooks hooks,
                   sdk::Logger& log);

    // One ota-* call to lintel-helper. The helper answers ota.busy while another call holds the
    // handler (e.g. the dpkg run that restarted this linteld is still finishing): retried every
    // second for as long as an install may take. `deadline` is the step's own limit.
    asio::awaitable<Expected<nlohmann::json>> call_helper(std::string action, nlohmann::json params,
                                                          std::chrono::seconds deadline);
    ota::DownloadSettings download_settings() const;

    asio::any_io_executor executor_;
    core::OtaSettings settings_;
    ota::ReleaseKeys keys_;
    std::string gateway_id_;
    std::filesystem::path helper_socket_;
    store::OtaDb& db_;
    DaemonOtaHooks hooks_;
    sdk::Logger& log_;
    // The running download, for cancel_download(); shared with the coroutine that runs it.
    std::shared_ptr<ota::Downloader> downloader_;
};

}  // namespace lintel::app
