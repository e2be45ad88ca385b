// The gateway's own certificate and private key as the credentials module uses them: envelopes
// are addressed to the certificate and opened with the key, and sealed files are bound to the key.
// The key comes from a PEM file or from a PKCS#11 token (docs/pkcs11.md): only the factory
// differs, because every operation on the key goes through OpenSSL's EVP_PKEY, which a token's
// key (libp11's engine) also is.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "credentials/secret.hpp"
#include "lintel/error.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::credentials {

enum class DeviceKeyType { p256, rsa };

class DeviceIdentity {
public:
    // The certificate (PEM, the first one counts) and its private key (unencrypted PEM, mode 0600
    // or stricter: commands.key_insecure otherwise). The key must be EC P-256 or RSA >= 2048 and
    // the certificate's; its single CN is the gateway id. Errors: cred.identity, or the key
    // file's own code (commands.key_unreadable, commands.key_insecure).
    static Expected<DeviceIdentity> from_files(const std::filesystem::path& cert,
                                               const std::filesystem::path& key);
    // The certificate file and a key in a PKCS#11 token, named by a pkcs11: URI. The key never
    // leaves the token: opening an envelope runs ECDH (P-256) or RSA decryption in it, so the
    // token must allow CKA_DERIVE / CKA_DECRYPT on the key. Errors: pkcs11.* (opening the key),
    // cred.identity, cred.key_unsupported. Defined in device_identity_token.cpp.
    static Expected<DeviceIdentity> from_token(const std::filesystem::path& cert,
                                               std::string_view key_uri,
                                               const pkcs11::TokenSettings& token);
    // The same from text (tests, the fuzzer).
    static Expected<DeviceIdentity> from_pem(std::string_view cert_pem, const Secret& key_pem);

    const std::string& gateway_id() const;
    DeviceKeyType key_type() const;
    // Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo (as PublicKey::fingerprint).
    const std::string& key_fingerprint() const;

    // For the OpenSSL adapters of this module (device_identity_impl.hpp).
    struct Impl;
    const Impl& impl() const { return *impl_; }

    // For the factories (device_identity_impl.hpp's assemble_device_identity).
    static DeviceIdentity adopt(std::shared_ptr<const Impl> impl);

private:
    explicit DeviceIdentity(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

}  // namespace lintel::credentials
