// Loading release keys from ota.release_keys.
#include "ota/release_keys.hpp"

namespace lintel::ota {

std::optional<ReleaseKeys> ReleaseKeys::load(const core::OtaSettings& settings,
                                             sdk::ConfigErrors& errors) {
    std::vector<ReleaseKey> keys;
    const std::size_t before = errors.size();
    for (const auto& k : settings.release_keys) {
        auto key = commands::PublicKey::from_pem_file(k.public_key_file);
        if (!key) {
            errors.add(k.mark, "ota.release_keys",
                       "release key \"" + k.kid + "\": " + key.error().message);
            continue;
        }
        if (key->type() == commands::KeyType::rsa) {
            errors.add(k.mark, "ota.release_keys",
                       "release key \"" + k.kid + "\" (" + k.public_key_file.string() +
                           ") is an RSA key; release keys must be Ed25519 or P-256");
            continue;
        }
        keys.push_back(ReleaseKey{k.kid, std::move(*key), k.revoked});
    }
    if (errors.size() != before) return std::nullopt;
    return ReleaseKeys(std::move(keys));
}

const ReleaseKey* ReleaseKeys::find(std::string_view kid) const {
    for (const auto& k : keys_) {
        if (k.kid == kid) return &k;
    }
    return nullptr;
}

}  // namespace lintel::ota
