// The release keys this gateway trusts for OTA manifests (ota.release_keys), loaded from their
// PEM files. Revoked keys stay in the set so that their manifests are refused as revoked.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/keys.hpp"
#include "core/ota_config.hpp"
#include "lintel/config_node.hpp"

namespace lintel::ota {

struct ReleaseKey {
    std::string kid;
    commands::PublicKey key;  // Ed25519 or P-256
    bool revoked = false;
};

class ReleaseKeys {
public:
    ReleaseKeys() = default;
    // RSA keys are refused here too (ota.unsupported_alg at verification otherwise).
    explicit ReleaseKeys(std::vector<ReleaseKey> keys) : keys_(std::move(keys)) {}

    // Loads every configured key file. Errors (unreadable, not an Ed25519/P-256 public key) go
    // to `errors` at the key's position, naming the kid and the file; nullopt then.
    static std::optional<ReleaseKeys> load(const core::OtaSettings& settings,
                                           sdk::ConfigErrors& errors);

    const ReleaseKey* find(std::string_view kid) const;
    std::size_t size() const { return keys_.size(); }

private:
    std::vector<ReleaseKey> keys_;
};

}  // namespace lintel::ota
