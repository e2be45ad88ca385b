// The "script" update handler: runs the signed artifact itself as root, with argv[1] = install,
// commit or rollback, a fixed environment, a bounded timeout, and its output captured into the
// result. Exit 0 is success.
//
// State (private state_dir per component):
//   script    the artifact, copied at install (mode 0700), run again for commit and rollback
//   work/     the script's working directory (0700), kept across calls
//   pending   the version a pending install installed
//   version   the last committed version
#pragma once

#include "lintel/update_handler.hpp"

namespace lintel::ota::script {

class ScriptHandler : public sdk::UpdateHandler {
public:
    Expected<sdk::InstalledVersion> installed_version(const sdk::HandlerCall& call) override;
    Expected<sdk::UpdateResult> install(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> commit(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> rollback(const sdk::UpdateRequest& request) override;
};

}  // namespace lintel::ota::script
