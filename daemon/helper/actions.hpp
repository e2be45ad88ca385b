// The actions table: the only place that knows which requests the helper serves.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "helper/protocol.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

// What a handler may know besides its params: settings from the command line, and who asked.
struct ActionContext {
    std::filesystem::path dpkg_admindir;  // empty: dpkg's own database
    // Where write-config writes (--config-dir). Empty by default, not /etc/lintel: a test that
    // forgets to set it gets a refusal instead of writing the real configuration.
    std::filesystem::path config_dir;
    // The OTA actions (ota-*): where handler plugins are loaded from, where linteld stages
    // artifacts (the only place an artifact path may point into), where handlers keep their
    // private state, and each handler's local settings (handler name -> key -> value).
    std::filesystem::path plugin_dir;
    std::filesystem::path ota_staging_dir;
    std::filesystem::path ota_state_dir;
    std::map<std::string, std::map<std::string, std::string>> handler_settings;
    // ota-reboot: the command that asks for a reboot (--reboot-command), argv[0] absolute.
    std::vector<std::string> reboot_command;
    // wpa-config: where it writes (--wpa-config-dir; empty: refused, like config_dir) and what
    // the written files' ctrl_interface says (--wpa-ctrl-dir, --wpa-group).
    std::filesystem::path wpa_config_dir;
    std::filesystem::path wpa_ctrl_dir;
    std::string wpa_group;
    // The peer's uid (SO_PEERCRED), set per connection: actions that change the system name
    // who asked in their own log line.
    std::optional<uid_t> peer_uid;
};

using ActionResult = Expected<nlohmann::ordered_json>;  // ordered: results read as documented
using ActionHandler =
    std::function<ActionResult(const nlohmann::json& params, const ActionContext& context)>;

struct Action {
    std::string name;     // the request's "action"
    std::string summary;  // one line, for --help and docs
    ActionHandler handler;
};

class ActionTable {
public:
    // Names are unique; a second registration of a name replaces nothing and is refused.
    Expected<void> add(Action action);
    const Action* find(std::string_view name) const;
    const std::vector<Action>& actions() const { return actions_; }
    // "version, install_deb" for messages.
    std::string names() const;

private:
    std::vector<Action> actions_;
};

// Every action this helper build offers. A new action is a file action_<name>.cpp with a
// factory, plus one add() line in builtin_actions(); the connection loop does not change.
ActionTable builtin_actions();

// Looks the request's action up and runs it: helper.unknown_action, or the handler's result.
// A handler that throws becomes helper.internal, never a dead connection.
ActionResult dispatch(const ActionTable& table, const Request& request,
                      const ActionContext& context);

// "uid 998" (or "uid ?"): who asked, for the log lines of actions that change the system.
std::string asked_by(const ActionContext& context);

// For handlers that take no params: helper.bad_params when `params` is not empty.
Expected<void> expect_no_params(const nlohmann::json& params, std::string_view action);

}  // namespace lintel::helper
