// The "ota-commit" action: the handler's commit(), through run_ota_step.
#include "helper/action_ota_commit.hpp"

#include "helper/ota_action.hpp"

namespace lintel::helper {

Action ota_commit_action() {
    return ota_update_action(
        OtaStep::commit,
        "mark the pending OTA install good: the handler drops what rollback needed",
        &sdk::UpdateHandler::commit);
}

}  // namespace lintel::helper
