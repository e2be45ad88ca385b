// The "version" action: which helper this is and which lintel package dpkg has installed.
#pragma once

#include <string_view>

#include "helper/actions.hpp"

namespace lintel::helper {

// The helper's own version (the CMake project version it was built from).
std::string_view helper_version();

// Result: {"helper_version":"0.1.0","package":"lintel","package_version":"0.1.0" or null,
//          "package_status":"installed" | "not-installed" | another dpkg status word}
Action version_action();

}  // namespace lintel::helper
