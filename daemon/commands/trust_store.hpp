// The command-signing keys this gateway trusts, each bound to a principal; revocable by config
// and at run time (a signed revoke-key command, persisted by the caller).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/keys.hpp"
#include "core/commands_config.hpp"
#include "lintel/config_node.hpp"
#include "lintel/error.hpp"

namespace lintel::commands {

struct TrustedKey {
    std::string kid;
    PublicKey key;
    std::string principal;
    bool revoked = false;
};

class TrustStore {
public:
    TrustStore() = default;
    // Loads every configured key file. Errors (unreadable, not an Ed25519/P-256 public key) go
    // to `errors` at the key's position, naming the kid and the file; nullopt then.
    static std::optional<TrustStore> load(const core::CommandsSettings& settings,
                                          sdk::ConfigErrors& errors);

    const TrustedKey* find(std::string_view kid) const;
    // Revoked at run time; returns false for an unknown kid.
    bool revoke(std::string_view kid);
    std::vector<std::string> revoked() const;
    std::size_t size() const { return keys_.size(); }

private:
    std::vector<TrustedKey> keys_;
};

}  // namespace lintel::commands
