// lintel-helper --ota-recover COMPONENT: run by lintel-ota-recover.service when lintel.service
// failed for good (its start limit hit), e.g. because the linteld an OTA install just put in place
// never comes up. Rolls back a *pending* install of COMPONENT through the deb handler, at most
// once per pending install; --ota-recover-check tells the unit's ExecCondition= whether there is
// such work, so that a linteld that fails for another reason is not restarted in a loop.
#pragma once

#include <chrono>
#include <string>

#include "helper/actions.hpp"

namespace lintel::helper {

// lintel's own package, the only component the recovery unit names, is installed by deb.
inline constexpr std::string_view k_recover_handler = "deb";
// How long recovery waits for a request that holds the handler's lock (an install in progress):
// the longest deadline an ota-* step may have.
inline constexpr std::chrono::seconds k_recover_lock_wait{1800};

// --ota-recover: 0 rolled back, or nothing to do (nothing pending, or tried once already);
// 1 the rollback or a check before it failed (logged).
// --ota-recover-check: 0 a pending install awaits its one recovery; 1 nothing to do; 255 the
// helper could not tell (logged; systemd then counts the unit failed rather than skipped).
inline constexpr int k_recover_done = 0;
inline constexpr int k_recover_failed = 1;
inline constexpr int k_check_work = 0;
inline constexpr int k_check_nothing = 1;
inline constexpr int k_check_error = 255;

int run_ota_recover(const ActionContext& context, const std::string& component, bool check_only);

}  // namespace lintel::helper
