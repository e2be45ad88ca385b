// apply-config's validation, trial and rollback (see config_applier.hpp).
#include "app/config_applier.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "commands/reason_codes.hpp"
#include "core/config_loader.hpp"
#include "helper/protocol.hpp"
#include "lintel/point.hpp"

namespace lintel::app {

namespace fs = std::filesystem;
using json = nlohmann::json;
using commands::ConfigChange;
using commands::ConfigChangeOutcome;
namespace reason = commands::reason;

namespace {

// The trial is checked this often: cheap (a few comparisons), and a confirmation is seen soon.
constexpr auto kWatchInterval = std::chrono::milliseconds(250);
constexpr std::size_t kMaxContentBytes = 256 * 1024;  // lintel-helper's write-config limit

ConfigChangeOutcome outcome(ConfigChangeOutcome::Status status, std::string_view code,
                            std::string message, json output = json::object()) {
    return ConfigChangeOutcome{status, std::string(code), std::move(message), std::move(output)};
}

ConfigChangeOutcome refused(std::string_view code, std::string message,
                            json output = json::object()) {
    return outcome(ConfigChangeOutcome::Status::refused, code, std::move(message),
                   std::move(output));
}

Expected<std::optional<std::string>> read_text(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::optional<std::string>{};
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("config.unreadable", "cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return std::optional<std::string>{text.str()};
}

bool working(sdk::Health h) { return h == sdk::Health::ok || h == sdk::Health::degraded; }

std::string seconds_text(std::chrono::milliseconds d) {
    return std::to_string(d.count() / 1000) + " s";
}

}  // namespace

struct ConfigApplier::Trial {
    ConfigChange change;
    fs::path path;
    std::optional<std::string> previous;
    Done done;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point deadline;
    std::set<std::string> working_before;  // devices that worked: they must work again
    json written;                          // the helper's result
    bool rolling_back = false;
};

Expected<fs::path> config_file_path(const std::string& file, const fs::path& config_path,
                                    const core::Config& running) {
    const fs::path dir = config_path.parent_path();
    if (file == "lintel.yaml") {
        if (config_path.filename() != "lintel.yaml") {
            return make_error(std::string(reason::bad_config),
                              "linteld reads " + config_path.string() +
                                  ", but lintel-helper writes only <dir>/lintel.yaml");
        }
        return config_path;
    }
    if (running.devices_dir != dir / "devices.d") {
        return make_error(std::string(reason::bad_config),
                          "devices_dir is " + running.devices_dir.string() +
                              ", but lintel-helper writes fragments only to " +
                              (dir / "devices.d").string());
    }
    return running.devices_dir / fs::path(file).filename();
}

ConfigApplier::ConfigApplier(asio::any_io_executor executor, ConfigApplyHost& host,
                             ApplyJournal journal, ConfigFileWriter writer, sdk::Logger& log)
    : ex_(std::move(executor)),
      host_(host),
      journal_(std::move(journal)),
      writer_(std::move(writer)),
      log_(log),
      timer_(ex_) {}

ConfigApplier::~ConfigApplier() { timer_.cancel(); }

void ConfigApplier::apply(ConfigChange change, Done done) {
    if (trial_) {
        return done(refused(reason::busy, "apply-config of command " + trial_->change.command_id +
                                              " (" + trial_->change.file +
                                              ") is still on trial; try again when it ended"));
    }
    if (auto pending = journal_.read(); !pending || *pending) {
        return done(refused(reason::busy, "an earlier apply-config could not be rolled back (" +
                                              journal_.path().string() +
                                              " remains); it is retried at start"));
    }
    // What lintel-helper accepts (256 KiB, and the request line with its JSON escaping):
    // refused here, with a reason, rather than by the helper after the trial began.
    if (change.content &&
        (change.content->size() > kMaxContentBytes ||
         json(*change.content).dump().size() + 1024 > helper::k_max_request_bytes)) {
        return done(refused(reason::bad_config,
                            "the new " + change.file + " is too large for lintel-helper (" +
                                std::to_string(change.content->size()) + " bytes; at most " +
                                std::to_string(kMaxContentBytes) + ")"));
    }
    auto path = config_file_path(change.file, host_.config_path(), host_.running_config());
    if (!path) return done(refused(reason::bad_config, path.error().message));
    auto previous = read_text(*path);
    if (!previous) return done(refused(reason::bad_config, previous.error().message));
    if (!*previous && change.file == "lintel.yaml") {
        return done(refused(reason::bad_config, path->string() + " does not exist"));
    }
    if (*previous == change.content) {
        return done(outcome(ConfigChangeOutcome::Status::applied, "",
                            change.file + " unchanged: it already has this content",
                            json{{"file", path->string()}, {"changed", false}}));
    }
    if (auto refusal = check_candidate(change, *path)) return done(std::move(*refusal));

    auto trial = std::make_unique<Trial>();
    trial->path = *path;
    trial->previous = std::move(*previous);
    trial->deadline = trial->started + change.confirm_within;
    for (const auto& d : host_.device_statuses()) {
        if (working(d.health)) trial->working_before.insert(d.name);
    }
    PendingApply pending{change.command_id,
                         change.kid,
                         change.principal,
                         change.file,
                         trial->previous,
                         sdk::now_unix_ms(),
                         sdk::now_unix_ms() + change.confirm_within.count()};
    if (auto r = journal_.record(pending); !r) {
        return done(outcome(
            ConfigChangeOutcome::Status::failed, reason::failed,
            "not applied: the rollback record cannot be written (" + r.error().message + ")"));
    }
    trial->change = std::move(change);
    trial->done = std::move(done);
    trial_ = std::move(trial);
    log_.info("apply-config: writing the new file; it is kept once confirmed",
              {{"COMMAND_ID", trial_->change.command_id},
               {"FILE", trial_->path.string()},
               {"CONFIRM_WITHIN", seconds_text(trial_->change.confirm_within)}});
    std::weak_ptr<int> alive = alive_;
    writer_(trial_->change.file, trial_->change.content, [this, alive](Expected<json> r) {
        if (!alive.expired()) written(std::move(r));
    });
}

std::optional<ConfigChangeOutcome> ConfigApplier::check_candidate(const ConfigChange& change,
                                                                  const fs::path& path) {
    const core::ConfigOverlay overlay{{path, change.content}};
    sdk::ConfigErrors errors;
    auto candidate = core::load_config(
        host_.config_path(), core::LoadOptions{host_.default_plugin_dir(), true, &overlay}, errors);
    if (candidate) host_.validate_candidate(*candidate, errors);
    if (!candidate || !errors.empty()) {
        json list = json::array();
        for (const auto& issue : errors.issues()) list.push_back(issue.to_string());
        return refused(reason::bad_config,
                       "the new configuration is invalid: " + std::to_string(errors.size()) +
                           " error(s), first: " +
                           (errors.empty() ? "unreadable" : errors.issues().front().to_string()),
                       json{{"errors", std::move(list)}});
    }
    const core::Config& running = host_.running_config();
    if (candidate->gateway_id != running.gateway_id) {
        return refused(reason::bad_config,
                       "gateway.id cannot be changed by apply-config: it names this gateway's "
                       "certificate and topics; change it on the box");
    }
    if (candidate->plugin_dir != running.plugin_dir) {
        return refused(reason::bad_config,
                       "plugins.dir cannot be changed by apply-config: which code linteld loads "
                       "is the box's to decide (and the package's); change it on the box");
    }
    if (candidate->buffer.path != running.buffer.path) {
        return refused(reason::bad_config,
                       "buffer.path cannot be changed by apply-config: the buffer and the "
                       "rollback record live there; change it on the box");
    }
    // The cloud must still be able to command this gateway, at least with the key that signed
    // this change; a configuration that locks it out can only be undone on site.
    bool still_trusted = false;
    for (const auto& k : candidate->commands.keys) {
        still_trusted |= k.id == change.kid && !k.revoked && k.principal == change.principal;
    }
    if (!candidate->commands.enabled || !still_trusted) {
        return refused(reason::bad_config,
                       "the new configuration would no longer accept commands signed by key \"" +
                           change.kid + "\" of " + change.principal +
                           "; sign the change with another key, or change the trust store on "
                           "the box");
    }
    return std::nullopt;
}

void ConfigApplier::written(Expected<json> result) {
    if (!result) {
        // Nothing was written (the helper writes atomically): nothing to roll back.
        (void)journal_.clear();
        const std::string why = "lintel-helper could not write " + trial_->path.string() + ": " +
                                result.error().message;
        log_.error("apply-config: not applied",
                   {{"COMMAND_ID", trial_->change.command_id}, {"REASON", why}});
        return finish(outcome(ConfigChangeOutcome::Status::failed, reason::failed, why));
    }
    trial_->written = std::move(*result);
    // The helper writes into its own --config-dir: it must be the file linteld reads.
    auto on_disk = read_text(trial_->path);
    if (!on_disk || *on_disk != trial_->change.content) {
        return roll_back("the file lintel-helper wrote is not " + trial_->path.string() +
                         " (is its --config-dir the directory of linteld's --config?)");
    }
    sdk::ConfigErrors errors;
    if (auto r = host_.reload(errors); !r) {
        return roll_back("the new configuration was refused when applied: " +
                         (errors.empty() ? r.error().message : errors.to_string()));
    }
    watch();
}

std::optional<std::string> ConfigApplier::trial_failure() const {
    for (const auto& d : host_.device_statuses()) {
        if (trial_->working_before.contains(d.name) && !working(d.health)) {
            return "device " + d.name + " worked before the change and is " +
                   std::string(sdk::to_string(d.health)) + " now: " + d.detail;
        }
    }
    return std::nullopt;
}

void ConfigApplier::watch() {
    if (host_.uplink_connected() && !trial_failure()) return confirm();
    if (std::chrono::steady_clock::now() >= trial_->deadline) {
        const std::string limit = seconds_text(trial_->change.confirm_within);
        if (auto failure = trial_failure()) return roll_back(*failure + " (after " + limit + ")");
        return roll_back("the uplink did not connect within " + limit + " (" +
                         host_.uplink_summary() + ")");
    }
    std::weak_ptr<int> alive = alive_;
    timer_.expires_after(kWatchInterval);
    timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (!ec && !alive.expired() && trial_) watch();
    });
}

void ConfigApplier::confirm() {
    if (auto r = journal_.clear(); !r) {
        // The file stays; a restart would roll back a good configuration. Say so loudly.
        log_.error("apply-config: confirmed, but its rollback record cannot be removed",
                   {{"PATH", journal_.path().string()}, {"REASON", r.error().message}});
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - trial_->started);
    json out{{"file", trial_->path.string()},
             {"changed", true},
             {"confirmed_in_ms", took.count()},
             {"devices", host_.device_statuses().size()}};
    if (trial_->written.contains("sha256")) out["sha256"] = trial_->written["sha256"];
    log_.info("apply-config: new configuration confirmed",
              {{"COMMAND_ID", trial_->change.command_id},
               {"FILE", trial_->path.string()},
               {"CONFIRMED_IN_MS", std::to_string(took.count())}});
    finish(outcome(
        ConfigChangeOutcome::Status::applied, "",
        "applied " + trial_->change.file + ", confirmed in " + std::to_string(took.count()) + " ms",
        std::move(out)));
}

void ConfigApplier::roll_back(std::string why) {
    trial_->rolling_back = true;
    timer_.cancel();
    log_.warning("apply-config: rolling back to the previous configuration",
                 {{"COMMAND_ID", trial_->change.command_id},
                  {"FILE", trial_->path.string()},
                  {"REASON", why}});
    std::weak_ptr<int> alive = alive_;
    writer_(trial_->change.file, trial_->previous, [this, alive, why](Expected<json> restored) {
        if (alive.expired()) return;
        if (!restored) {
            // The journal stays: the next start tries again. Until then apply-config
            // answers busy, so no second change can bury the file to restore.
            const std::string msg = why + "; restoring the previous file failed (" +
                                    restored.error().message +
                                    "); linteld restores it at its next start";
            log_.error("apply-config: rollback failed",
                       {{"FILE", trial_->path.string()}, {"REASON", msg}});
            return finish(outcome(ConfigChangeOutcome::Status::failed, reason::failed, msg,
                                  json{{"rolled_back", false}}));
        }
        sdk::ConfigErrors errors;
        if (auto r = host_.reload(errors); !r) {
            log_.error(
                "apply-config: the previous configuration was restored but not "
                "applied; it is applied at the next reload or restart",
                {{"REASON", errors.to_string()}});
        }
        (void)journal_.clear();
        log_.warning("apply-config: previous configuration restored",
                     {{"COMMAND_ID", trial_->change.command_id}, {"FILE", trial_->path.string()}});
        finish(outcome(ConfigChangeOutcome::Status::failed, reason::rolled_back,
                       "rolled back: " + why,
                       json{{"rolled_back", true}, {"file", trial_->path.string()}}));
    });
}

void ConfigApplier::finish(ConfigChangeOutcome result) {
    auto trial = std::move(trial_);
    trial->done(std::move(result));
}

}  // namespace lintel::app
