// The "rauc" update handler: hands a bundle to `rauc install` (the inactive slot group gets it;
// the new version runs after a reboot), `rauc status mark-good` on commit, and on rollback
// `rauc status mark-bad` of the slot that holds the version being rolled back: the booted one
// (plus mark-active of the other; a reboot brings the previous version back) or, before that
// reboot, the other one (plus mark-active of the booted one).
// Settings: "binary" (default /usr/bin/rauc), "conf" (system.conf for `rauc info`; default
// rauc's own), "system_bus" (DBUS_SYSTEM_BUS_ADDRESS for the rauc service; tests only).
#pragma once

#include "lintel/update_handler.hpp"

namespace lintel::ota::rauc {

class RaucHandler : public sdk::UpdateHandler {
public:
    Expected<sdk::InstalledVersion> installed_version(const sdk::HandlerCall& call) override;
    Expected<sdk::UpdateResult> install(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> commit(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> rollback(const sdk::UpdateRequest& request) override;
};

}  // namespace lintel::ota::rauc
