// The OTA part of the running daemon: ota.db, the real ports and the OTA service, built when the
// `ota:` section is present, resumed at start, and given new settings on reload.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <filesystem>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/daemon_ota_ports.hpp"
#include "core/ota_config.hpp"
#include "lintel/error.hpp"
#include "ota/ota_service.hpp"
#include "store/ota_db.hpp"

namespace lintel::app {

class OtaRuntime {
public:
    // Opens ota.db at `db_path`, loads the release keys and resumes an update that the last run
    // left unsettled (after a kill -9, a reboot, or linteld updating itself).
    static Expected<std::unique_ptr<OtaRuntime>> start(asio::any_io_executor executor,
                                                       const core::OtaSettings& settings,
                                                       std::string gateway_id,
                                                       std::filesystem::path helper_socket,
                                                       std::filesystem::path db_path,
                                                       DaemonOtaHooks hooks, sdk::Logger& log);
    ~OtaRuntime();

    // The ota-* commands. While `ota:` is switched off by a reload, a new update is refused
    // (ota.disabled); the one under way finishes, and abort and status still work.
    Expected<nlohmann::json> begin(const std::string& command_id, const std::string& manifest);
    Expected<nlohmann::json> abort(const std::string& why) { return service_->abort(why); }
    nlohmann::json status() { return service_->status(); }
    ota::UpdateState state() const { return service_->state(); }

    // A reload's `ota:` section (enabled or not).
    void reconfigure(const core::OtaSettings& settings);
    // Shutdown: the update's state stays on disk for the next start.
    void stop() { service_->stop(); }

private:
    OtaRuntime(store::OtaDb db, sdk::Logger& log) : db_(std::move(db)), log_(log) {}

    store::OtaDb db_;
    sdk::Logger& log_;
    bool enabled_ = true;
    std::unique_ptr<DaemonOtaPorts> ports_;
    std::unique_ptr<ota::OtaService> service_;
};

}  // namespace lintel::app
