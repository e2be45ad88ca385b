// The "ota-rollback" action: the handler's rollback(), through run_ota_step.
#include "helper/action_ota_rollback.hpp"

#include "helper/ota_action.hpp"

namespace lintel::helper {

Action ota_rollback_action() {
    return ota_update_action(
        OtaStep::rollback, "restore the version that was installed before the pending OTA install",
        &sdk::UpdateHandler::rollback);
}

}  // namespace lintel::helper
