// Is the system clock known to be right? A gateway on 4G can boot with a wrong clock; command
// freshness checks depend on it (see docs/commands.md, "Clock").
#pragma once

#include "core/commands_config.hpp"

namespace lintel::commands {

// The kernel's view (adjtimex): synchronised once an NTP client (systemd-timesyncd, chrony,
// ntpd) has disciplined the clock, i.e. STA_UNSYNC is clear.
bool kernel_clock_synchronised();

// The policy's answer: `synced`/`unsynced` override the kernel (tests, or sites that know).
bool clock_trusted(core::ClockPolicy policy);

}  // namespace lintel::commands
