// The actions table, dispatch, and the list of built-in actions.
#include "helper/actions.hpp"

#include <exception>

#include "helper/action_ota_commit.hpp"
#include "helper/action_ota_install.hpp"
#include "helper/action_ota_installed_version.hpp"
#include "helper/action_ota_reboot.hpp"
#include "helper/action_ota_rollback.hpp"
#include "helper/action_version.hpp"
#include "helper/action_wpa_config.hpp"
#include "helper/action_write_config.hpp"
#include "helper/helper_log.hpp"

namespace lintel::helper {

Expected<void> ActionTable::add(Action action) {
    if (find(action.name) != nullptr) {
        return make_error(std::string(codes::internal),
                          "action \"" + action.name + "\" is registered twice");
    }
    actions_.push_back(std::move(action));
    return {};
}

const Action* ActionTable::find(std::string_view name) const {
    for (const auto& action : actions_) {
        if (action.name == name) return &action;
    }
    return nullptr;
}

std::string ActionTable::names() const {
    std::string out;
    for (const auto& action : actions_) {
        if (!out.empty()) out += ", ";
        out += action.name;
    }
    return out;
}

ActionTable builtin_actions() {
    ActionTable table;
    (void)table.add(version_action());
    (void)table.add(write_config_action());
    (void)table.add(ota_installed_version_action());
    (void)table.add(ota_install_action());
    (void)table.add(ota_commit_action());
    (void)table.add(ota_rollback_action());
    (void)table.add(ota_reboot_action());
    (void)table.add(wpa_config_action());
    return table;
}

ActionResult dispatch(const ActionTable& table, const Request& request,
                      const ActionContext& context) {
    const Action* action = table.find(request.action);
    if (action == nullptr) {
        // The name is the peer's: escaped and cut, it cannot garble the log line it lands in.
        return make_error(std::string(codes::unknown_action),
                          "unknown action " + log_quoted(request.action) +
                              " (this helper knows: " + table.names() + ")");
    }
    try {
        return action->handler(request.params, context);
    } catch (const std::exception& e) {
        return make_error(std::string(codes::internal),
                          "action \"" + action->name + "\" failed: " + e.what());
    }
}

std::string asked_by(const ActionContext& context) {
    return context.peer_uid ? "uid " + std::to_string(*context.peer_uid) : "uid ?";
}

Expected<void> expect_no_params(const nlohmann::json& params, std::string_view action) {
    if (params.is_null() || (params.is_object() && params.empty())) return {};
    return make_error(std::string(codes::bad_params),
                      "action \"" + std::string(action) + "\" takes no params");
}

}  // namespace lintel::helper
