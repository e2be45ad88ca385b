// The OTA service (ota_service.hpp): one coroutine per update runs the work of the state it is
// in, then applies the event that work produced. Recovery after a restart is the same loop
// started from the persisted state, with recovery_for() deciding the first step.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "ota/ota_service.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <system_error>

#include "ota/reason_codes.hpp"

namespace lintel::ota {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct OtaService::Run {
    explicit Run(asio::any_io_executor ex) : timer(std::move(ex)) {}
    bool stopped = false;  // the service stopped or was destroyed: touch nothing of it
    bool abort_requested = false;
    std::string abort_reason;
    asio::steady_timer timer;
    int download_failures = 0;
};

nlohmann::json plan_to_json(const UpdatePlan& plan) {
    nlohmann::json artifacts = nlohmann::json::array();
    for (const Artifact& a : plan.artifacts) {
        artifacts.push_back(
            {{"name", a.name}, {"url", a.url}, {"sha256", a.sha256}, {"size", a.size}});
    }
    return {{"release_id", plan.release_id},
            {"component", plan.component},
            {"version", plan.version},
            {"handler", plan.handler},
            {"min_version", plan.min_version},
            {"artifacts", artifacts},
            {"params", plan.params}};
}

Expected<UpdatePlan> plan_from_json(const std::string& text) {
    try {
        const auto j = nlohmann::json::parse(text);
        UpdatePlan p;
        p.release_id = j.at("release_id").get<std::string>();
        p.component = j.at("component").get<std::string>();
        p.version = j.at("version").get<std::string>();
        p.handler = j.at("handler").get<std::string>();
        p.min_version = j.at("min_version").get<std::string>();
        for (const auto& a : j.at("artifacts")) {
            p.artifacts.push_back(
                Artifact{a.at("name").get<std::string>(), a.at("url").get<std::string>(),
                         a.at("sha256").get<std::string>(), a.at("size").get<std::uint64_t>()});
        }
        p.params = j.at("params").get<std::map<std::string, std::string>>();
        return p;
    } catch (const std::exception& e) {
        return make_error(std::string(reason::store),
                          std::string("the stored update plan is unreadable: ") + e.what());
    }
}

OtaService::OtaService(asio::any_io_executor executor, store::OtaDb& db, OtaPorts& ports,
                       sdk::Logger& log, OtaServiceOptions options, NowMs now_ms)
    : executor_(std::move(executor)),
      db_(db),
      ports_(ports),
      log_(log),
      options_(std::move(options)),
      now_ms_(std::move(now_ms)) {}

OtaService::~OtaService() { stop(); }

void OtaService::stop() {
    if (!run_) return;
    run_->stopped = true;
    run_->timer.cancel();
    ports_.cancel_download();
    run_.reset();
}

UpdateState OtaService::state() const {
    if (!record_) return UpdateState::idle;
    return parse_update_state(record_->state).value_or(UpdateState::failed);
}

fs::path OtaService::staging_for(const std::string& release_id) const {
    return options_.staging_dir / release_id;
}

std::vector<fs::path> OtaService::staged_files() const {
    std::vector<fs::path> files;
    for (const Artifact& a : plan_.artifacts) {
        files.push_back(staging_for(plan_.release_id) / a.name);
    }
    return files;
}

nlohmann::json OtaService::event_json() const {
    nlohmann::json j = {{"state", record_ ? record_->state : "idle"}};
    if (!record_) return j;
    j["command_id"] = record_->command_id;
    j["release_id"] = record_->release_id;
    j["component"] = record_->component;
    j["version"] = record_->version;
    if (!record_->previous_version.empty()) j["previous_version"] = record_->previous_version;
    if (!record_->reason.empty()) j["reason"] = record_->reason;
    if (!record_->message.empty()) j["message"] = record_->message;
    j["ts"] = record_->updated_ms;
    j["final"] = is_settled(state());
    return j;
}

void OtaService::start() {
    auto current = db_.current();
    if (!current) {
        log_.error("cannot read the OTA state: " + current.error().message +
                   "; OTA updates are unavailable until it is readable");
        return;
    }
    record_ = std::move(*current);
    if (!record_) return;
    auto plan = plan_from_json(record_->plan);
    if (!plan) {
        log_.error(plan.error().message + "; the update " + record_->release_id +
                   " cannot be resumed");
        return;
    }
    plan_ = std::move(*plan);
    const UpdateState s = state();
    if (is_settled(s)) {
        if (!record_->outcome_reported) settle();
        return;
    }
    log_.info("resuming OTA update " + record_->release_id + " (" + record_->component + " " +
                  record_->version + ") found in state " + std::string(to_string(s)) + ": " +
                  std::string(to_string(recovery_for(s))),
              {{"RELEASE", record_->release_id}});
    launch();
}

void OtaService::launch() {
    run_ = std::make_shared<Run>(executor_);
    asio::co_spawn(executor_, drive(run_), asio::detached);
}

Expected<nlohmann::json> OtaService::begin(const std::string& command_id,
                                           const std::string& manifest) {
    if (record_ && !is_settled(state())) {
        return make_error(std::string(reason::busy),
                          "update " + record_->release_id + " is " + record_->state +
                              "; abort it (ota-abort) or wait for it to settle");
    }
    auto floors = db_.floors();
    if (!floors) return make_error(std::string(reason::store), floors.error().message);
    auto accepted = ports_.accept(manifest, *floors);
    if (!accepted) return std::unexpected(accepted.error());

    const std::int64_t now = now_ms_();
    store::OtaUpdateRecord r;
    r.command_id = command_id;
    r.release_id = accepted->release_id;
    r.component = accepted->component;
    r.version = accepted->version;
    r.handler = accepted->handler;
    r.manifest = manifest;
    r.plan = plan_to_json(*accepted).dump();
    r.state = std::string(to_string(UpdateState::idle));
    r.started_ms = now;
    r.updated_ms = now;
    std::optional<store::OtaUpdateRecord> previous = std::move(record_);
    UpdatePlan previous_plan = std::move(plan_);
    record_ = std::move(r);
    plan_ = std::move(*accepted);
    if (!move(UpdateEvent::start, "", "update accepted")) {
        record_ = std::move(previous);
        plan_ = std::move(previous_plan);
        return make_error(std::string(reason::store),
                          "the OTA state could not be written; nothing was started");
    }
    std::error_code ec;
    fs::create_directories(staging_for(plan_.release_id), ec);
    launch();
    return event_json();
}

Expected<nlohmann::json> OtaService::abort(const std::string& why) {
    const UpdateState s = state();
    if (!record_ || !abortable(s)) {
        return make_error(std::string(reason::not_abortable),
                          record_ ? "update " + record_->release_id + " is " + record_->state +
                                        ": an abort is only possible while downloading, "
                                        "verifying or awaiting health"
                                  : "no update is running");
    }
    if (run_) {
        run_->abort_requested = true;
        run_->abort_reason = why;
        run_->timer.cancel();
        ports_.cancel_download();
    }
    log_.warning("OTA update " + record_->release_id + " abort requested: " + why,
                 {{"RELEASE", record_->release_id}});
    return event_json();
}

nlohmann::json OtaService::status() {
    nlohmann::json j = event_json();
    if (record_) {
        j["handler"] = record_->handler;
        j["attempts"] = record_->attempts;
        j["started_ms"] = record_->started_ms;
        if (record_->health_deadline_ms != 0) j["health_deadline_ms"] = record_->health_deadline_ms;
        if (auto floor = db_.floor(record_->component); floor && *floor) j["floor"] = **floor;
    }
    return j;
}

bool OtaService::move(UpdateEvent event, const std::string& reason_code,
                      const std::string& message) {
    const UpdateState from = state();
    const auto to = transition(from, event);
    if (!to) {
        log_.error("OTA update " + record_->release_id + ": event " +
                   std::string(to_string(event)) + " is not allowed in state " + record_->state +
                   "; the update stops here until linteld restarts");
        return false;
    }
    store::OtaUpdateRecord next = *record_;
    next.state = std::string(to_string(*to));
    next.reason = reason_code;
    next.message = message;
    next.updated_ms = now_ms_();
    if (*to == UpdateState::awaiting_health) {
        next.health_deadline_ms = next.updated_ms + options_.health_deadline.count();
    }
    const std::string from_text = event == UpdateEvent::start ? "" : record_->state;
    if (auto saved = db_.save(next, from_text); !saved) {
        log_.error("cannot persist the OTA state " + next.state + ": " + saved.error().message +
                   "; the update stops here and resumes from its last saved state at restart");
        return false;
    }
    record_ = std::move(next);
    const bool bad = !reason_code.empty();
    const std::string line = "OTA update " + record_->release_id + " (" + record_->component + " " +
                             record_->version + "): " + std::string(to_string(from)) + " -> " +
                             record_->state + (message.empty() ? "" : ": " + message);
    if (bad) {
        log_.warning(line, {{"RELEASE", record_->release_id}, {"REASON", reason_code}});
    } else {
        log_.info(line, {{"RELEASE", record_->release_id}});
    }
    if (is_settled(*to)) {
        settle();
    } else {
        ports_.report(event_json());
    }
    return true;
}

void OtaService::settle() {
    std::error_code ec;
    fs::remove_all(staging_for(record_->release_id), ec);
    if (ec) {
        log_.warning("could not clean the OTA staging directory " +
                     staging_for(record_->release_id).string() + ": " + ec.message());
    }
    if (!ports_.report(event_json())) return;  // reported at the next start
    store::OtaUpdateRecord next = *record_;
    next.outcome_reported = true;
    if (db_.save(next, record_->state)) record_ = std::move(next);
}

asio::awaitable<bool> OtaService::sleep_for(std::shared_ptr<Run> run, std::chrono::milliseconds d) {
    run->timer.expires_after(d);
    boost::system::error_code ec;
    co_await run->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !run->stopped;
}

asio::awaitable<void> OtaService::drive(std::shared_ptr<Run> run) {
    while (!run->stopped) {
        const UpdateState s = state();
        if (is_settled(s)) co_return;
        if (run->abort_requested && abortable(s)) {
            const std::string why = run->abort_reason;
            run->abort_requested = false;
            if (!move(UpdateEvent::abort, std::string(reason::aborted), "aborted: " + why)) {
                co_return;
            }
            continue;
        }
        switch (s) {
            case UpdateState::downloading:
                co_await step_download(run);
                break;
            case UpdateState::verifying:
                step_verify(run);
                break;
            case UpdateState::installing:
                co_await step_install(run);
                break;
            case UpdateState::rebooting:
                co_await step_reboot(run);
                break;
            case UpdateState::awaiting_health:
                co_await step_health(run);
                break;
            case UpdateState::rolling_back:
                co_await step_rollback(run);
                break;
            default:
                co_return;
        }
        if (run->stopped) co_return;
        // A step that could not move (store failure, refused event) leaves the state as it
        // was: stop rather than spin; the next start resumes.
        if (state() == s && !run->abort_requested && s != UpdateState::downloading) co_return;
    }
}

asio::awaitable<void> OtaService::step_download(std::shared_ptr<Run> run) {
    const fs::path dir = staging_for(plan_.release_id);
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const Artifact& a : plan_.artifacts) {
        const fs::path file = dir / a.name;
        if (fs::exists(file, ec) && ports_.check_artifact(a, file)) continue;  // done earlier
        // Named, not a temporary inside the co_await: g++ 12 destroys such temporaries twice.
        ProgressFn progress = [this, run, name = a.name](std::uint64_t bytes, std::uint64_t total) {
            if (run->stopped) return;
            nlohmann::json e = event_json();
            e["artifact"] = name;
            e["bytes"] = bytes;
            e["total"] = total;
            e["percent"] = total == 0 ? 100 : static_cast<int>(bytes * 100 / total);
            ports_.report(e);
        };
        auto got = co_await ports_.download(a, file, progress);
        if (run->stopped) co_return;
        if (got) continue;
        if (run->abort_requested || got.error().code == reason::aborted) co_return;  // drive()
        if (got.error().code != reason::download_failed) {
            move(UpdateEvent::download_failed, got.error().code,
                 a.name + ": " + got.error().message);
            co_return;
        }
        // Transient: the link is down or the server away. Retry with backoff for a while.
        const auto waited = std::chrono::milliseconds(now_ms_() - record_->started_ms);
        if (waited >= options_.download_give_up_after) {
            move(UpdateEvent::download_failed, got.error().code,
                 a.name + ": still failing after " +
                     std::to_string(options_.download_give_up_after.count() / 60000) +
                     " min: " + got.error().message);
            co_return;
        }
        ++run->download_failures;
        auto delay = options_.download_retry_min * (1 << std::min(run->download_failures - 1, 10));
        delay = std::min(delay, options_.download_retry_max);
        log_.warning("OTA download of " + a.name + " for " + plan_.release_id + " failed (" +
                         got.error().message + "); retrying in " +
                         std::to_string(delay.count() / 1000) + " s",
                     {{"RELEASE", plan_.release_id}});
        co_await sleep_for(run, delay);
        co_return;  // drive() runs this step again (resuming the .part)
    }
    move(UpdateEvent::downloaded, "", "all artifacts downloaded");
}

void OtaService::step_verify(const std::shared_ptr<Run>& run) {
    (void)run;
    const fs::path dir = staging_for(plan_.release_id);
    for (const Artifact& a : plan_.artifacts) {
        if (auto ok = ports_.check_artifact(a, dir / a.name); !ok) {
            move(UpdateEvent::verify_failed, ok.error().code, a.name + ": " + ok.error().message);
            return;
        }
    }
    // The manifest still applies (a floor raised or a key revoked since it was accepted).
    auto floors = db_.floors();
    if (!floors) {
        move(UpdateEvent::verify_failed, std::string(reason::store), floors.error().message);
        return;
    }
    auto still = ports_.accept(record_->manifest, *floors);
    if (!still) {
        move(UpdateEvent::verify_failed, still.error().code, still.error().message);
        return;
    }
    move(UpdateEvent::verified, "", "sizes and sha256 match");
}

asio::awaitable<void> OtaService::step_install(std::shared_ptr<Run> run) {
    if (record_->attempts > 0) {
        // A previous run died during the install: ask what is installed now.
        auto installed = co_await ports_.installed_version(plan_);
        if (run->stopped) co_return;
        if (installed && *installed && **installed == plan_.version) {
            move(UpdateEvent::installed, "", "the install had finished before linteld restarted");
            co_return;
        }
        if (record_->attempts >= options_.max_install_attempts) {
            move(UpdateEvent::install_failed, std::string(reason::install_failed),
                 "the install was interrupted " + std::to_string(record_->attempts) +
                     " times; rolling back");
            co_return;
        }
    } else {
        auto installed = co_await ports_.installed_version(plan_);
        if (run->stopped) co_return;
        if (installed && *installed) record_->previous_version = **installed;
    }
    store::OtaUpdateRecord next = *record_;
    ++next.attempts;
    if (auto saved = db_.save(next, record_->state); !saved) {
        log_.error("cannot persist the OTA install attempt: " + saved.error().message);
        co_return;
    }
    record_ = std::move(next);
    auto outcome = co_await ports_.install(plan_, record_->manifest, staged_files());
    if (run->stopped) co_return;
    if (!outcome) {
        move(UpdateEvent::install_failed, outcome.error().code, outcome.error().message);
        co_return;
    }
    if (outcome->reboot_required) {
        record_->boot_id = ports_.boot_id();
        move(UpdateEvent::installed_needs_reboot, "", "installed; rebooting into it");
        co_return;
    }
    move(UpdateEvent::installed, "", "installed");
}

asio::awaitable<void> OtaService::step_reboot(std::shared_ptr<Run> run) {
    if (ports_.boot_id() != record_->boot_id) {
        move(UpdateEvent::booted, "", "rebooted into the new version");
        co_return;
    }
    // Same boot: ask for the reboot (again, after a restart of linteld), and give it until the
    // health deadline to happen.
    auto asked = co_await ports_.reboot();
    if (run->stopped) co_return;
    if (!asked) {
        move(UpdateEvent::unhealthy, std::string(reason::reboot_failed), asked.error().message);
        co_return;
    }
    const auto deadline = record_->updated_ms + options_.health_deadline.count();
    while (!run->stopped && now_ms_() < deadline) {
        if (!co_await sleep_for(run, options_.health_poll)) co_return;
    }
    move(UpdateEvent::unhealthy, std::string(reason::reboot_failed),
         "the reboot asked for did not happen in time");
}

asio::awaitable<void> OtaService::step_health(std::shared_ptr<Run> run) {
    while (!run->stopped) {
        if (run->abort_requested) co_return;  // drive() applies it
        if (ports_.healthy(plan_)) {
            auto committed = co_await ports_.commit(plan_);
            if (run->stopped) co_return;
            if (committed) {
                std::string floor = plan_.min_version;
                if (auto old = db_.floor(plan_.component); old && *old) {
                    if (floor.empty() || ports_.compare_versions(**old, floor) > 0) floor = **old;
                }
                if (auto r = db_.record_commit(plan_.component, plan_.version, floor, now_ms_());
                    !r) {
                    log_.error("cannot record the committed version: " + r.error().message);
                }
                move(UpdateEvent::healthy, "", "healthy; committed");
                co_return;
            }
            log_.warning("committing OTA update " + plan_.release_id +
                         " failed: " + committed.error().message + "; trying again");
        }
        if (now_ms_() >= record_->health_deadline_ms) {
            move(UpdateEvent::unhealthy, std::string(reason::health_failed),
                 "not healthy within " + std::to_string(options_.health_deadline.count() / 1000) +
                     " s");
            co_return;
        }
        if (!co_await sleep_for(run, options_.health_poll)) co_return;
    }
}

asio::awaitable<void> OtaService::step_rollback(std::shared_ptr<Run> run) {
    // Keeps the reason of the failure that caused the rollback for the final report.
    const std::string why = record_->reason;
    const std::string what = record_->message;
    auto done = co_await ports_.rollback(plan_);
    if (run->stopped) co_return;
    if (!done) {
        move(UpdateEvent::rollback_failed, std::string(reason::rollback_failed),
             what + "; the rollback failed too: " + done.error().message);
        co_return;
    }
    move(UpdateEvent::rollback_done, why.empty() ? std::string(reason::rolled_back) : why,
         what + "; rolled back" +
             (record_->previous_version.empty() ? "" : " to " + record_->previous_version));
}

}  // namespace lintel::ota
