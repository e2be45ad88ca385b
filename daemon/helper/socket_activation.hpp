// The connection systemd hands over (socket unit with Accept=yes): fd 3, LISTEN_FDS=1.
#pragma once

#include "lintel/error.hpp"

namespace lintel::helper {

// The one connected AF_UNIX stream socket passed with LISTEN_FDS=1 (and LISTEN_PID = us), as
// both systemd and `systemd-socket-activate --accept` pass it. Clears LISTEN_* so children do
// not inherit them; the fd is close-on-exec. Errors (helper.usage) say how to run the helper.
Expected<int> take_connection();

}  // namespace lintel::helper
