// The "ota-install" action. docs/helper.md, "OTA actions", has params, result and errors.
#pragma once

#include "helper/actions.hpp"

namespace lintel::helper {

// Installs `version` of `component` from the verified copies of `artifacts`.
// Params: handler, component, version, artifacts, params (optional), timeout_s (optional).
// Result: {"handler","component","version","previous_version","reboot_required","output",
//          "details"} (ota_update_action).
Action ota_install_action();

}  // namespace lintel::helper
