// The "ota-commit" action. docs/helper.md, "OTA actions", has params, result and errors.
#pragma once

#include "helper/actions.hpp"

namespace lintel::helper {

// The pending install of `version` is good.
// Params: handler, component, version, params (optional), timeout_s (optional).
// Result: {"handler","component","version","previous_version","reboot_required","output",
//          "details"} (ota_update_action).
Action ota_commit_action();

}  // namespace lintel::helper
