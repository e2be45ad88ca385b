// Runs OTA updates through their lifecycle (update_state.hpp): one update at a time, every
// transition persisted in ota.db before the work of the new state starts, so that linteld
// started after a kill -9 or a reboot picks the update up where it stood (start()).
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "ota/ota_ports.hpp"
#include "ota/update_state.hpp"
#include "store/ota_db.hpp"

namespace lintel::ota {

struct OtaServiceOptions {
    // Artifacts go to <staging_dir>/<release id>/<artifact name>; removed once settled.
    std::filesystem::path staging_dir = "/var/lib/lintel/ota/staging";
    // How long the new version has to run, connect and report healthy before it is rolled back.
    std::chrono::milliseconds health_deadline{std::chrono::minutes(10)};
    std::chrono::milliseconds health_poll{std::chrono::seconds(1)};
    // A 4G link can be down for hours: a download that keeps failing for a transient reason is
    // retried with backoff for this long before the update fails.
    std::chrono::milliseconds download_retry_min{std::chrono::seconds(10)};
    std::chrono::milliseconds download_retry_max{std::chrono::minutes(10)};
    std::chrono::milliseconds download_give_up_after{std::chrono::hours(24)};
    // A restart during an install is retried this many times in all before it fails.
    int max_install_attempts = 2;
};

using NowMs = std::function<std::int64_t()>;  // Unix ms; a parameter so tests can move time

class OtaService {
public:
    OtaService(asio::any_io_executor executor, store::OtaDb& db, OtaPorts& ports, sdk::Logger& log,
               OtaServiceOptions options, NowMs now_ms);
    ~OtaService();
    OtaService(const OtaService&) = delete;
    OtaService& operator=(const OtaService&) = delete;

    // Resumes an update left unsettled by the previous run, and reports a final outcome that
    // had not been reported yet.
    void start();
    // Stops working (shutdown); the state on disk stays as it is for the next start().
    void stop();

    // ota-update: accepts a signed manifest and starts the update. Refusals carry the ota.*
    // reason as the error code (ota.busy while another update runs; ota.store when the state
    // cannot be written). The output says what started.
    Expected<nlohmann::json> begin(const std::string& command_id, const std::string& manifest);
    // ota-abort: the emergency stop (abortable() states only: ota.not_abortable otherwise).
    Expected<nlohmann::json> abort(const std::string& why);
    // ota-status: the current or last update, and the floors.
    nlohmann::json status();

    // For tests and the status line: the state of the current update (idle when none).
    UpdateState state() const;

private:
    struct Run;
    asio::awaitable<void> drive(std::shared_ptr<Run> run);
    asio::awaitable<void> step_download(std::shared_ptr<Run> run);
    void step_verify();
    asio::awaitable<void> step_install(std::shared_ptr<Run> run);
    asio::awaitable<void> step_reboot(std::shared_ptr<Run> run);
    asio::awaitable<void> step_health(std::shared_ptr<Run> run);
    asio::awaitable<void> step_rollback(std::shared_ptr<Run> run);
    asio::awaitable<bool> sleep_for(std::shared_ptr<Run> run, std::chrono::milliseconds d);

    // Applies `event` to the current update: persists the new state, logs, reports. false if
    // the event is not allowed or the store failed (the run then stops; the next start()
    // resumes from what is on disk).
    bool move(UpdateEvent event, const std::string& reason, const std::string& message);
    void settle();  // cleans staging and reports the final outcome once
    void launch();
    std::filesystem::path staging_for(const std::string& release_id) const;
    std::vector<std::filesystem::path> staged_files() const;
    nlohmann::json event_json() const;

    asio::any_io_executor executor_;
    store::OtaDb& db_;
    OtaPorts& ports_;
    sdk::Logger& log_;
    OtaServiceOptions options_;
    NowMs now_ms_;
    std::optional<store::OtaUpdateRecord> record_;
    UpdatePlan plan_;
    std::shared_ptr<Run> run_;  // the coroutine driving the current update, if any
};

// The plan as stored in ota.db and back.
nlohmann::json plan_to_json(const UpdatePlan& plan);
Expected<UpdatePlan> plan_from_json(const std::string& text);

}  // namespace lintel::ota
