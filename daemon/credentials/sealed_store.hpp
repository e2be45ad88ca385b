// Delivered credentials at rest: the current bundle and the one before it, each sealed to the
// device sealing key (seal.hpp, sealing_key.hpp) in its own file under the state directory, so that
// a failed apply can go back. Files are 0600 in a 0700 directory and replaced atomically (a crash
// leaves the old or the new file, never a mix).
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "credentials/bundle.hpp"
#include "credentials/sealing_key.hpp"
#include "lintel/error.hpp"

namespace lintel::credentials {

// The sealed file's purpose (authenticated with it): a credential bundle of format 1.
inline constexpr std::string_view k_bundle_seal_purpose = "lintel/credentials/bundle/1";

enum class Slot { current, previous };

class SealedStore {
public:
    // `dir` (e.g. /var/lib/lintel/credentials), created with mode 0700 when missing (its parent
    // must exist). Refused (cred.store_insecure, naming the path and the chmod/chown that fixes
    // it) when it is a symlink, not a directory, not owned by this user, or open to group or
    // others.
    static Expected<SealedStore> open(const std::filesystem::path& dir, SealingKey key);
    // The directory checks of open() alone: the file sealing key lives in the same directory.
    static Expected<void> ensure_directory(const std::filesystem::path& dir);

    // Slots sealed to `old_key` (the device identity's key, which lintel sealed to before it had
    // a sealing key of its own) are sealed again to this store's key; how many were.
    Expected<int> reseal_from(const SealingKey& old_key);

    // Seals `bundle` as the new current; the current one (if any) becomes previous, and the
    // previous one is dropped.
    Expected<void> install(const Bundle& bundle);

    // The bundle in `slot`, or nullopt when the slot is empty. Errors: cred.sealed_corrupt,
    // cred.sealed_wrong_key, cred.store_insecure (a file group or others can read), cred.io; a
    // sealed bundle that no longer parses is cred.sealed_corrupt too.
    Expected<std::optional<Bundle>> load(Slot slot) const;

    // After a failed apply: the previous bundle becomes current again and the previous slot is
    // emptied (so a second call does not flip back). false when there is no previous bundle;
    // an error (nothing changed) when the previous one does not open.
    Expected<bool> restore_previous();

    // Removes both slots (the gateway leaves the network).
    Expected<void> clear();

    std::filesystem::path path_of(Slot slot) const;
    const SealingKey& key() const { return key_; }

private:
    SealedStore(std::filesystem::path dir, SealingKey key)
        : dir_(std::move(dir)), key_(std::move(key)) {}
    Expected<std::optional<std::string>> read_sealed(Slot slot) const;

    std::filesystem::path dir_;
    SealingKey key_;
};

}  // namespace lintel::credentials
