// What lintel-helper itself remembers about OTA releases, per handler and component, in its
// private state directory: the anti-rollback floor (the highest min_version of a committed
// release), the verified manifest of the pending install (so that commit can raise the floor),
// and whether --ota-recover already tried to roll that install back. linteld's ota.db keeps a
// floor too; the helper never depends on it (linteld faces the network).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "helper/atomic_file.hpp"
#include "lintel/error.hpp"
#include "ota/manifest.hpp"

namespace lintel::helper {

// The records' directory below --ota-state-dir (handler names never start with a dot).
inline constexpr std::string_view k_records_dir = ".records";

class OtaRecords {
public:
    // <state root>/.records/<handler>/<component>/, each created 0700 and checked private.
    static Expected<OtaRecords> open(const OpenDirectory& state_root, const std::string& handler,
                                     const std::string& component);

    // The floor: nullopt until a commit of a release with a min_version. A record that is not a
    // valid version is helper.internal: the helper refuses rather than guess a lower floor.
    Expected<std::optional<std::string>> floor() const;

    // An install of `manifest_jws` (verified) begins: it becomes the pending release, and an
    // earlier recovery attempt is forgotten (a new install may be recovered once again).
    Expected<void> begin_install(std::string_view manifest_jws);

    // The pending release's manifest, or nullopt when none is recorded.
    Expected<std::optional<ota::Manifest>> pending() const;

    // The handler committed `version`: when the pending release is of that version the floor
    // becomes next_floor(its manifest, floor), written atomically; the pending record is dropped.
    // Returns the floor afterwards. The record is dropped only after the floor is written, so a
    // retried commit writes it again.
    Expected<std::optional<std::string>> commit(std::string_view version);

    // The handler rolled the pending install back: the pending record is dropped.
    Expected<void> forget_pending();

    // --ota-recover: whether it already tried the pending install, and the mark that it did.
    Expected<bool> recovery_attempted() const;
    Expected<void> mark_recovery_attempted(std::string_view version);

    const OpenDirectory& dir() const { return dir_; }

private:
    explicit OtaRecords(OpenDirectory dir) : dir_(std::move(dir)) {}

    Expected<std::optional<std::string>> read(std::string_view name, std::size_t max) const;

    OpenDirectory dir_;
};

}  // namespace lintel::helper
