// Internal to daemon/credentials: what a DeviceIdentity holds, for the OpenSSL adapters
// (envelope.cpp, seal.cpp). Nothing outside the module includes it.
#pragma once

#include <string>

#include "commands/openssl_support.hpp"
#include "credentials/device_identity.hpp"

namespace lintel::credentials {

struct DeviceIdentity::Impl {
    commands::ossl::X509Ptr cert;
    commands::ossl::PkeyPtr key;  // the private key: from a file, or a handle into a token
    DeviceKeyType type = DeviceKeyType::p256;
    std::string gateway_id;
    std::string fingerprint;
};

// Which of the supported device key types `key` is: EC P-256 or RSA >= 2048 (the certificate an
// envelope is addressed to must hold one too); cred.key_unsupported otherwise.
Expected<DeviceKeyType> classify_device_key(EVP_PKEY* key);

// The identity from the certificate (PEM) and its private key, wherever the key lives: checks
// type, CN and that the key belongs to the certificate (cred.identity, cred.key_unsupported).
Expected<DeviceIdentity> assemble_device_identity(std::string_view cert_pem,
                                                  commands::ossl::PkeyPtr key);

}  // namespace lintel::credentials
