// Loading and revoking command-signing keys.
#include "commands/trust_store.hpp"

namespace lintel::commands {

std::optional<TrustStore> TrustStore::load(const core::CommandsSettings& settings,
                                           sdk::ConfigErrors& errors) {
    TrustStore store;
    const std::size_t before = errors.size();
    for (const auto& k : settings.keys) {
        auto key = PublicKey::from_pem_file(k.public_key_file);
        if (!key) {
            errors.add(k.mark, "commands.keys", "key \"" + k.id + "\": " + key.error().message);
            continue;
        }
        if (key->type() == KeyType::rsa) {
            errors.add(k.mark, "commands.keys",
                       "key \"" + k.id + "\" (" + k.public_key_file.string() +
                           ") is an RSA key; command keys must be Ed25519 or P-256");
            continue;
        }
        store.keys_.push_back(TrustedKey{k.id, std::move(*key), k.principal, k.revoked});
    }
    if (errors.size() != before) return std::nullopt;
    return store;
}

const TrustedKey* TrustStore::find(std::string_view kid) const {
    for (const auto& k : keys_) {
        if (k.kid == kid) return &k;
    }
    return nullptr;
}

bool TrustStore::revoke(std::string_view kid) {
    for (auto& k : keys_) {
        if (k.kid == kid) {
            k.revoked = true;
            return true;
        }
    }
    return false;
}

std::vector<std::string> TrustStore::revoked() const {
    std::vector<std::string> out;
    for (const auto& k : keys_) {
        if (k.revoked) out.push_back(k.kid);
    }
    return out;
}

}  // namespace lintel::commands
