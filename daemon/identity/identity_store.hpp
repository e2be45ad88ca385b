// The issued uplink identities under the state directory: a pending key waiting for its
// certificate, the current and the previous (certificate, key) pair, switched atomically.
//
//   <dir>/            0700
//     pending/key.pem           the new key (0600) while its CSR is out
//     gen-<n>/cert.pem key.pem  one issued identity each (files 0600, dir 0700)
//     state.json                {"current":"gen-3","previous":"gen-2"}, replaced atomically
//
// A generation is complete (both files synced) before its directory gets its final name, and it
// becomes current only by the atomic replacement of state.json: a crash leaves the old pair or
// the new pair, never half of each. Generations state.json does not name are removed on open.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::identity {

struct IdentityFiles {
    std::string generation;  // "gen-3"
    std::filesystem::path cert;
    std::filesystem::path key;
    bool operator==(const IdentityFiles&) const = default;
};

class IdentityStore {
public:
    // Creates `dir` (0700) if missing; refuses (cert.store_failed) a dir open to group or others
    // or an unreadable state.json.
    static Expected<IdentityStore> open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return dir_; }
    const std::optional<IdentityFiles>& current() const { return current_; }
    const std::optional<IdentityFiles>& previous() const { return previous_; }

    // Where the key of the next identity is generated; reset_pending() empties the place first.
    std::filesystem::path pending_key() const;
    Expected<void> reset_pending();
    Expected<void> discard_pending();

    // The pending key and `certificate_pem` become generation n+1 and the current identity; the
    // current one becomes previous; the one before that is deleted.
    Expected<IdentityFiles> promote_pending(std::string_view certificate_pem);
    // Makes the previous identity current again and deletes the refused one. With no previous
    // identity, the store becomes empty (the configured factory identity applies).
    Expected<void> roll_back();

private:
    explicit IdentityStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
    Expected<void> write_state();
    IdentityFiles files_of(const std::string& generation) const;

    std::filesystem::path dir_;
    std::optional<IdentityFiles> current_;
    std::optional<IdentityFiles> previous_;
    unsigned long next_generation_ = 1;
};

}  // namespace lintel::identity
