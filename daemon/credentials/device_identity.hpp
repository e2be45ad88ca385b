// The gateway's own certificate and private key as the credentials module uses them: envelopes
// are addressed to the certificate and opened with the key, and sealed files are bound to the key.
// Today both come from PEM files. A PKCS#11 token is the next source: only a new factory here
// changes, because every operation on the key goes through OpenSSL's EVP_PKEY, which a token's
// key (pkcs11 provider or engine) also is.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "credentials/secret.hpp"
#include "lintel/error.hpp"

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
    // The same from text (tests, the fuzzer).
    static Expected<DeviceIdentity> from_pem(std::string_view cert_pem, const Secret& key_pem);

    const std::string& gateway_id() const;
    DeviceKeyType key_type() const;
    // Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo (as PublicKey::fingerprint).
    const std::string& key_fingerprint() const;

    // For the OpenSSL adapters of this module (device_identity_impl.hpp).
    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    explicit DeviceIdentity(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

}  // namespace lintel::credentials
