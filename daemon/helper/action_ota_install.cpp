// The "ota-install" action: the handler's install(), through run_ota_step.
#include "helper/action_ota_install.hpp"

#include "helper/ota_action.hpp"

namespace lintel::helper {

Action ota_install_action() {
    return ota_update_action(
        OtaStep::install,
        "install a verified artifact through an update handler plugin (ota-deb, ota-rauc, ...)",
        &sdk::UpdateHandler::install);
}

}  // namespace lintel::helper
