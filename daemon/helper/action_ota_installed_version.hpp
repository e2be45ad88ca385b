// The "ota-installed-version" action. docs/helper.md, "OTA actions", has params, result, errors.
#pragma once

#include "helper/actions.hpp"

namespace lintel::helper {

// What the handler says is installed for `component` now.
// Params: handler, component, params (optional), timeout_s (optional).
// Result: {"handler","component","version": "..." or null,"details":{...}}.
Action ota_installed_version_action();

}  // namespace lintel::helper
