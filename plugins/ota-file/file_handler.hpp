// The "file" update handler: atomically replaces one file (params.destination), e.g. a firmware
// blob a field-device driver reads, inside a directory the helper's configuration allows
// (setting allowed_dirs). Mode and owner of a replaced file are kept; the previous content is
// kept for rollback until commit.
//
// State (private state_dir per component):
//   previous        the replaced file's content (root-owned 0600), until commit or rollback
//   previous.meta   "<mode octal> <uid> <gid>" of the replaced file
//   previous.none   the destination did not exist before: rollback removes it
//   destination     the path the pending install wrote
//   pending, version   see handler_support.hpp
#pragma once

#include "lintel/update_handler.hpp"

namespace lintel::ota::file {

class FileHandler : public sdk::UpdateHandler {
public:
    Expected<sdk::InstalledVersion> installed_version(const sdk::HandlerCall& call) override;
    Expected<sdk::UpdateResult> install(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> commit(const sdk::UpdateRequest& request) override;
    Expected<sdk::UpdateResult> rollback(const sdk::UpdateRequest& request) override;
};

}  // namespace lintel::ota::file
