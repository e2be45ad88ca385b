// apply-config: a signed configuration file is validated as a reload would validate it, written
// by lintel-helper (linteld cannot write /etc/lintel), applied, and kept only once it proves
// itself: the uplink connected and every device that was working still working, within the
// command's deadline. Otherwise the previous file is written back and applied. A journal beside
// the buffer makes a restart during the trial roll back too (Daemon::recover_unconfirmed_apply).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/apply_journal.hpp"
#include "commands/gateway_ops.hpp"
#include "core/config.hpp"
#include "core/device_manager.hpp"
#include "lintel/asio.hpp"
#include "lintel/config_node.hpp"
#include "lintel/log.hpp"

namespace lintel::app {

// What the applier needs of the running daemon.
class ConfigApplyHost {
public:
    virtual ~ConfigApplyHost() = default;
    virtual const core::Config& running_config() const = 0;
    virtual const std::filesystem::path& config_path() const = 0;
    virtual const std::filesystem::path& default_plugin_dir() const = 0;
    // Builds the candidate's devices (each plugin checks its keys) and trust store, as a reload
    // does, without starting anything.
    virtual void validate_candidate(const core::Config& candidate, sdk::ConfigErrors& errors) = 0;
    // Applies the files on disk (as SIGHUP).
    virtual Expected<void> reload(sdk::ConfigErrors& errors) = 0;
    virtual bool uplink_connected() const = 0;
    virtual std::string uplink_summary() const = 0;  // for the reason of a rollback
    virtual std::vector<core::DeviceStatus> device_statuses() const = 0;
};

// Writes one file through lintel-helper: its content, or the removal of a fragment.
using ConfigFileWriter =
    std::function<void(const std::string& file, const std::optional<std::string>& content,
                       std::function<void(Expected<nlohmann::json>)> done)>;

// Resolves "lintel.yaml" / "devices.d/<name>.yaml" to the path linteld reads; an error when the
// running layout is not the one lintel-helper writes (--config <dir>/lintel.yaml, devices_dir
// <dir>/devices.d).
Expected<std::filesystem::path> config_file_path(const std::string& file,
                                                 const std::filesystem::path& config_path,
                                                 const core::Config& running);

class ConfigApplier {
public:
    using Done = std::function<void(commands::ConfigChangeOutcome)>;

    ConfigApplier(asio::any_io_executor executor, ConfigApplyHost& host, ApplyJournal journal,
                  ConfigFileWriter writer, sdk::Logger& log);
    ~ConfigApplier();
    ConfigApplier(const ConfigApplier&) = delete;
    ConfigApplier& operator=(const ConfigApplier&) = delete;

    void apply(commands::ConfigChange change, Done done);
    bool on_trial() const { return trial_ != nullptr; }

private:
    struct Trial;

    // Refusals found before anything is written; nullopt when the candidate may go on trial.
    std::optional<commands::ConfigChangeOutcome> check_candidate(
        const commands::ConfigChange& change, const std::filesystem::path& path);
    void written(Expected<nlohmann::json> result);
    void watch();
    void confirm();
    void roll_back(std::string why);
    void finish(commands::ConfigChangeOutcome outcome);
    std::optional<std::string> trial_failure() const;  // a device that stopped working

    asio::any_io_executor ex_;
    ConfigApplyHost& host_;
    ApplyJournal journal_;
    ConfigFileWriter writer_;
    sdk::Logger& log_;
    asio::steady_timer timer_;
    std::unique_ptr<Trial> trial_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace lintel::app
