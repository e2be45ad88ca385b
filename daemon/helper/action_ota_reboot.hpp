// The "ota-reboot" action. docs/helper.md, "ota-reboot", has the result and errors.
#pragma once

#include <chrono>

#include "helper/actions.hpp"

namespace lintel::helper {

// The deadline of the reboot command: systemctl only queues the reboot job and returns.
inline constexpr std::chrono::seconds k_reboot_timeout{30};

// Asks for the reboot an ota-install or ota-rollback result asked for (reboot_required), by
// running --reboot-command. Takes no params.
// Result: {"reboot":"requested","command":"/bin/systemctl reboot"}.
// Errors: ota.reboot_failed (the command could not start, exited non-zero or hung).
Action ota_reboot_action();

}  // namespace lintel::helper
