// The "deb" update handler: installs a .deb with dpkg (lintel's own included) and keeps the
// package of the version it replaced, so that rollback can reinstall it.
//
// State (the handler's private state_dir, one per component = package name):
//   current.deb    the package of the installed version, when it came through this handler
//   new.deb        the package of a pending install (until commit or rollback)
//   rollback.deb   the package rollback reinstalls (current.deb, or rebuilt with dpkg-repack)
//   rollback.none  a pending install had nothing before it: rollback removes the package
#pragma once

#include "lintel/update_handler.hpp"

namespace lintel::ota::deb {

class DebHandler : public sdk::UpdateHandler {
public:
    Expected<sdk::InstalledVersion> installed_version(const sdk::HandlerCall& call) override;
    Expected<sdk::UpdateResult> install(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> commit(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> rollback(const sdk::UpdateRequest& request) override;
};

}  // namespace lintel::ota::deb
