// lintel-helper: serves one privileged request of linteld on a socket-activated connection.
#include <unistd.h>

#include <cstdio>
#include <span>
#include <string>

#include "helper/action_version.hpp"
#include "helper/actions.hpp"
#include "helper/connection.hpp"
#include "helper/helper_log.hpp"
#include "helper/options.hpp"
#include "helper/ota_recover.hpp"
#include "helper/peer_check.hpp"
#include "helper/socket_activation.hpp"

namespace {
constexpr int k_exit_usage = 64;     // EX_USAGE
constexpr int k_exit_software = 70;  // EX_SOFTWARE
}  // namespace

int main(int argc, char** argv) {
    using namespace lintel::helper;
    auto options =
        parse_options(std::span<const char* const>(argv + 1, static_cast<std::size_t>(argc - 1)));
    if (!options) {
        std::fprintf(stderr, "lintel-helper: %s\n", options.error().message.c_str());
        return k_exit_usage;
    }
    if (options->show_help) {
        std::fputs(usage_text().c_str(), stdout);
        return 0;
    }
    if (options->show_version) {
        std::printf("lintel-helper %.*s\n", static_cast<int>(helper_version().size()),
                    helper_version().data());
        return 0;
    }

    ActionContext context;
    context.dpkg_admindir = options->dpkg_admindir;
    context.config_dir = options->config_dir;
    context.plugin_dir = options->plugin_dir;
    context.ota_staging_dir = options->ota_staging_dir;
    context.ota_state_dir = options->ota_state_dir;
    context.handler_settings = options->handler_settings;
    context.reboot_command = options->reboot_command;
    context.wpa_config_dir = options->wpa_config_dir;
    context.wpa_ctrl_dir = options->wpa_ctrl_dir;
    context.wpa_group = options->wpa_group;
    if (options->ota_recover) {
        return run_ota_recover(context, *options->ota_recover, options->ota_recover_check);
    }

    auto fd = take_connection();
    if (!fd) {
        log_line(LogLevel::error, fd.error().message);
        return k_exit_usage;
    }
    const PeerPolicy policy = PeerPolicy::for_user(options->allow_user);
    const ActionTable actions = builtin_actions();
    ConnectionSettings settings;
    settings.read_timeout = options->read_timeout;

    const bool ok = serve_connection(*fd, policy, actions, context, settings);
    ::close(*fd);
    return ok ? 0 : k_exit_software;
}
