// The "write-config" action: replaces or removes one of linteld's configuration files, which
// linteld (unprivileged) cannot write itself. docs/helper.md has the details.
#pragma once

#include <cstddef>

#include "helper/actions.hpp"

namespace lintel::helper {

// The largest "content" accepted.
inline constexpr std::size_t k_max_config_bytes = 256 * 1024;

// Params: "file": "lintel.yaml" or "devices.d/<name>.yaml" (relative to ActionContext's
// config_dir; nothing else is ever written), and exactly one of
//   "content": the whole new file (UTF-8, no NUL, at most k_max_config_bytes), or
//   "remove": true (devices.d files only).
// Result: {"file":"<absolute path>","bytes":N,"sha256":"<hex>"} after a write,
//         {"file":"<absolute path>","removed":true|false} after a removal.
Action write_config_action();

}  // namespace lintel::helper
