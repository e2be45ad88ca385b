// OtaRuntime (ota_runtime.hpp): ota.db, DaemonOtaPorts and the OtaService, wired together.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "app/ota_runtime.hpp"

#include "lintel/point.hpp"  // now_unix_ms
#include "ota/reason_codes.hpp"

namespace lintel::app {

Expected<std::unique_ptr<OtaRuntime>> OtaRuntime::start(asio::any_io_executor executor,
                                                        const core::OtaSettings& settings,
                                                        std::string gateway_id,
                                                        std::filesystem::path helper_socket,
                                                        std::filesystem::path db_path,
                                                        DaemonOtaHooks hooks, sdk::Logger& log) {
    store::OtaDbOptions db_options;
    db_options.path = std::move(db_path);
    auto db = store::OtaDb::open(db_options, log);
    if (!db) return std::unexpected(db.error());
    std::unique_ptr<OtaRuntime> self(new OtaRuntime(std::move(*db), log));
    auto ports = DaemonOtaPorts::create(executor, settings, std::move(gateway_id),
                                        std::move(helper_socket), self->db_, std::move(hooks), log);
    if (!ports) return std::unexpected(ports.error());
    self->ports_ = std::move(*ports);
    ota::OtaServiceOptions options;
    options.staging_dir = settings.staging_dir;
    options.health_deadline = settings.health_deadline;
    self->service_ = std::make_unique<ota::OtaService>(executor, self->db_, *self->ports_, log,
                                                       options, [] { return sdk::now_unix_ms(); });
    self->enabled_ = settings.enabled;
    self->service_->start();
    return self;
}

OtaRuntime::~OtaRuntime() {
    if (service_) service_->stop();
}

Expected<nlohmann::json> OtaRuntime::begin(const std::string& command_id,
                                           const std::string& manifest) {
    if (!enabled_) {
        return make_error(std::string(ota::reason::disabled),
                          "OTA updates are switched off in this gateway's configuration (ota:)");
    }
    return service_->begin(command_id, manifest);
}

void OtaRuntime::reconfigure(const core::OtaSettings& settings) {
    enabled_ = settings.enabled;
    if (!enabled_) return;
    if (auto r = ports_->update_settings(settings); !r) {
        log_.error("OTA settings of the reload not applied; the previous ones stay in force",
                   {{"REASON", r.error().message}});
    }
}

}  // namespace lintel::app
