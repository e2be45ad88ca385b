// OtaSession::open: plugins, state directories, lock, instance, in that order.
#include "helper/ota_session.hpp"

#include "helper/helper_log.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {

Expected<std::unique_ptr<OtaSession>> OtaSession::open(
    std::string_view step, const ActionContext& context, const std::string& handler,
    const std::string& component, std::chrono::steady_clock::time_point deadline,
    std::chrono::milliseconds lock_wait) {
    if (context.plugin_dir.empty() || context.ota_state_dir.empty() ||
        context.ota_staging_dir.empty()) {
        return make_error(std::string(codes::internal),
                          "the plugin, staging or state directory is not set");
    }
    auto plugins = HandlerSet::load(context.plugin_dir);
    if (!plugins) return std::unexpected(plugins.error());
    auto plugin = plugins->find(handler);
    if (!plugin) return std::unexpected(plugin.error());
    for (const auto& refused : plugins->refused()) {
        log_line(LogLevel::warning, "ignored an update-handler plugin: " + refused.message);
    }
    auto dirs = open_state_dirs(context.ota_state_dir, handler, component);
    if (!dirs) return std::unexpected(dirs.error());
    if (auto locked = lock_handler(dirs->handler, handler, lock_wait); !locked) {
        return std::unexpected(locked.error());
    }
    // Plugins are never unloaded (handler_loader.hpp): the instance may outlive `plugins`.
    auto instance = (*plugin)->create();
    if (!instance) return std::unexpected(instance.error());
    std::unique_ptr<OtaSession> session(
        new OtaSession(std::move(*instance), std::move(*dirs),
                       std::string(step) + " " + handler + "/" + component + ": ", deadline));
    session->component_ = component;
    if (auto it = context.handler_settings.find(handler); it != context.handler_settings.end()) {
        session->settings_ = it->second;
    }
    return session;
}

sdk::UpdateRequest OtaSession::request(const std::map<std::string, std::string>& params) {
    sdk::UpdateRequest call;
    call.component = component_;
    call.params = params;
    call.settings = settings_;
    call.state_dir = dirs_.component.path();
    call.deadline = deadline_;
    call.host = &host_;
    return call;
}

}  // namespace lintel::helper
