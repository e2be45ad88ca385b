// Entry points behind the command line: run, check the config, print the version.
#include "app/app.hpp"

#include <cstdio>
#include <iostream>

#include "app/daemon.hpp"
#include "commands/trust_store.hpp"
#include "core/config_loader.hpp"
#include "core/credentials.hpp"
#include "core/device_manager.hpp"
#include "core/logging.hpp"
#include "core/plugin_host.hpp"

#ifndef LINTEL_VERSION
#define LINTEL_VERSION "0.0.0-dev"
#endif

namespace lintel::app {

std::string version_string() { return LINTEL_VERSION; }

namespace {

core::LogSink default_sink() {
    return core::stderr_is_journal() ? core::LogSink::journald : core::LogSink::stderr_lines;
}

void print_errors(const sdk::ConfigErrors& errors) {
    for (const auto& issue : errors.issues()) std::cerr << issue.to_string() << '\n';
}

}  // namespace

ConfigCheckReport collect_config_check(const RunOptions& options) {
    ConfigCheckReport report;
    sdk::ConfigErrors& errors = report.errors;
    // read_config keeps what it could read, so device errors are reported even when the main
    // file has its own: the operator gets the whole list in one pass.
    std::optional<core::Config> config = core::read_config(
        options.config_path, core::LoadOptions{options.default_plugin_dir, true}, errors);
    {
        // Each device is validated by its own driver: same code path as a real start, no I/O.
        // Plugin load failures are reported as config errors below, not as log lines.
        core::DaemonLogger log(core::LogSink::stderr_lines, sdk::LogLevel::error);
        core::PluginHost plugins(config->plugin_dir, log);
        asio::io_context io;
        core::DeviceManager devices(io.get_executor(), plugins, log,
                                    [](std::vector<sdk::PointValue>) {});
        std::vector<core::DeviceEntry> loadable;
        for (const auto& d : config->devices) {
            if (!d.enabled) continue;
            if (auto drv = plugins.driver(d.driver); !drv) {
                errors.add(*d.node.find("driver"), drv.error().message);
            } else {
                loadable.push_back(d);
            }
        }
        devices.build(loadable, errors);
    }
    if (config->commands.enabled) (void)commands::TrustStore::load(config->commands, errors);
    if (!config->missing_credentials.empty()) {
        // A fresh install before provisioning: valid, and linteld will run and buffer.
        report.warnings.push_back(
            "not provisioned yet: " + core::describe_missing(config->missing_credentials) +
            "; linteld buffers telemetry and connects once these files exist");
    }
    report.devices = config->devices.size();
    return report;
}

int check_config(const RunOptions& options) {
    const auto report = collect_config_check(options);
    if (!report.errors.empty()) {
        print_errors(report.errors);
        std::cerr << report.errors.size() << (report.errors.size() == 1 ? " error" : " errors")
                  << " in " << options.config_path.string() << '\n';
        return kExitConfig;
    }
    for (const auto& w : report.warnings) std::cerr << "warning: " << w << '\n';
    std::cout << options.config_path.string() << ": configuration is valid (" << report.devices
              << " devices)\n";
    return kExitOk;
}

int run_daemon(const RunOptions& options) {
    core::DaemonLogger log(default_sink(), sdk::LogLevel::info);
    sdk::ConfigErrors errors;
    auto config = core::load_config(options.config_path,
                                    core::LoadOptions{options.default_plugin_dir, true}, errors);
    if (!config) {
        for (const auto& issue : errors.issues())
            log.error("invalid configuration: " + issue.to_string());
        log.error("linteld not started: fix the configuration (linteld --check-config " +
                  options.config_path.string() + ")");
        return kExitConfig;
    }
    log.set_level(config->log_level);
    Daemon daemon(options, std::move(*config), log);
    return daemon.run();
}

}  // namespace lintel::app
