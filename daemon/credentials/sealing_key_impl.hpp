// Internal to daemon/credentials: what a SealingKey holds, for seal.cpp and the factories.
#pragma once

#include <string>

#include "commands/openssl_support.hpp"
#include "credentials/sealing_key.hpp"

namespace lintel::credentials {

struct SealingKey::Impl {
    commands::ossl::PkeyPtr key;         // the private key: in memory, or a handle into a token
    commands::ossl::PkeyPtr public_key;  // its public half, in memory (sealing needs only this)
    DeviceKeyType type = DeviceKeyType::p256;
    std::string fingerprint;
    std::string location;
};

// A SealingKey from a private key and its public half (both owned from here on); checks the type.
Expected<SealingKey> assemble_sealing_key(commands::ossl::PkeyPtr key,
                                          commands::ossl::PkeyPtr public_key, std::string location);

// The public half of `key` as a key of its own (a DER SubjectPublicKeyInfo round trip).
Expected<commands::ossl::PkeyPtr> public_half(EVP_PKEY* key);

}  // namespace lintel::credentials
