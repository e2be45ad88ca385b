// The "ota-rollback" action. docs/helper.md, "OTA actions", has params, result and errors.
#pragma once

#include "helper/actions.hpp"

namespace lintel::helper {

// Restores what was installed before the pending install of `version`.
// Params: handler, component, version, params (optional), timeout_s (optional).
// Result: {"handler","component","version","previous_version","reboot_required","output",
//          "details"} (ota_update_action).
Action ota_rollback_action();

}  // namespace lintel::helper
