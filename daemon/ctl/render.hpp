// lintelctl's readable output: each command's result JSON as aligned tables. Fields it knows
// are laid out; any other field is shown as "key: value", so a newer linteld loses nothing.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/protocol.hpp"

namespace lintel::ctl {

// The text for `result` of `command` (ends with a newline). Strings from the daemon (device
// names, units, messages) are shown with control characters replaced: they must not be able to
// move the cursor or recolour the operator's terminal.
std::string render(control::Command command, const nlohmann::json& result);

std::string render_status(const nlohmann::json& result);
std::string render_queue(const nlohmann::json& result);
std::string render_points(const nlohmann::json& result);
std::string render_audit(const nlohmann::json& result);
std::string render_check_config(const nlohmann::json& result);
std::string render_reload(const nlohmann::json& result);
std::string render_log_level(const nlohmann::json& result);

// Columns separated by two spaces, padded by display width (UTF-8 code points); the last
// column is not padded. `right` lists the columns aligned right (numbers).
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right = {});

// For a terminal: C0/C1 control characters and DEL become '?'.
std::string terminal_safe(std::string_view text);

// check-config's result says the configuration is invalid (lintelctl then exits 1).
bool config_check_failed(const nlohmann::json& result);

}  // namespace lintel::ctl
