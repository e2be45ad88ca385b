// The key that delivered credentials are sealed to at rest: the device's own sealing key, made on
// the gateway at first start and independent of its TLS identity, which a renewal replaces and a
// claim-provisioned box does not have at first (docs/credentials.md, "At rest").
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "credentials/device_identity.hpp"
#include "credentials/secret.hpp"
#include "lintel/error.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::credentials {

class SealingKey {
public:
    // The key in `path` (unencrypted PEM, owned by this user, mode 0600 or stricter), or a new EC
    // P-256 key written there (mode 0600, never over anything) when nothing is there. Errors:
    // cred.identity (not a usable key), cred.key_unsupported, the key file's own codes
    // (commands.key_insecure, commands.key_unreadable), cred.crypto.
    static Expected<SealingKey> open_or_create(const std::filesystem::path& path);
    // The key labelled `label` in the token `token_uri` names (token=, serial=, ...); a new
    // non-extractable P-256 key with that label is generated there when it has none. Unsealing
    // runs ECDH in the token. Errors: pkcs11.*, cred.key_unsupported. In sealing_key_token.cpp.
    static Expected<SealingKey> open_or_create_in_token(std::string_view token_uri,
                                                        std::string_view label,
                                                        const pkcs11::TokenSettings& token);
    // The private key of a device identity: what lintel sealed to before it had a sealing key of
    // its own (re-sealing old files), and for tests.
    static Expected<SealingKey> of(const DeviceIdentity& identity);
    // From PEM text (tests, the fuzzer).
    static Expected<SealingKey> from_pem(const Secret& key_pem);

    DeviceKeyType type() const;
    // Lower-case hex SHA-256 of the key's DER SubjectPublicKeyInfo.
    const std::string& fingerprint() const;
    // Where the key is, for messages: a path or a pkcs11: URI.
    const std::string& location() const;

    struct Impl;  // for seal.cpp (sealing_key_impl.hpp)
    const Impl& impl() const { return *impl_; }
    static SealingKey adopt(std::shared_ptr<const Impl> impl);

private:
    explicit SealingKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

}  // namespace lintel::credentials
