// The gateway's private key in a PKCS#11 token (TPM, HSM, smart card, softhsm2): open it as an
// OpenSSL EVP_PKEY whose operations run in the token, generate a new non-extractable key there,
// and check that a key cannot leave it. Only this module talks PKCS#11 and OpenSSL's engine.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, so that this header needs no OpenSSL include

namespace lintel::pkcs11 {

// Where the token is reached and how to log in. The PIN is only ever in the file (mode 0600).
struct TokenSettings {
    std::filesystem::path module;    // the PKCS#11 module (.so) of the token
    std::filesystem::path pin_file;  // the user PIN, one line

    bool operator==(const TokenSettings&) const = default;
};

// A private key that stays in the token; signing (TLS, CSRs) and, where the token allows it,
// ECDH / RSA decryption go through OpenSSL as with any key. Cheap to copy (shared).
class TokenKey {
public:
    evp_pkey_st* native() const { return key_.get(); }
    // The key pair's public half, as a PEM SubjectPublicKeyInfo.
    const std::string& public_key_pem() const { return public_pem_; }

private:
    friend Expected<TokenKey> open_private_key(std::string_view uri, const TokenSettings& token);
    std::shared_ptr<evp_pkey_st> key_;
    std::string public_pem_;
};

// Opens the private key that `uri` names (pkcs11:token=...;object=... or id=...). The token is
// checked first through the module itself so that each failure has its own code: pkcs11.uri,
// pkcs11.module, pkcs11.pin_file, pkcs11.pin, pkcs11.pin_locked, pkcs11.no_token, pkcs11.no_key,
// pkcs11.ambiguous, pkcs11.engine. A PIN the token rejected is not tried again until the PIN
// file's content changes (tokens lock after a few wrong PINs; the uplink retries forever).
Expected<TokenKey> open_private_key(std::string_view uri, const TokenSettings& token);

// Generates an EC P-256 key pair in the token that `token_uri` names (token=, serial=, ...):
// private key CKA_SENSITIVE, not CKA_EXTRACTABLE, CKA_TOKEN (persistent), sign + derive; public
// key with the same label and a random CKA_ID. Returns the private key's URI.
// pkcs11.key_exists when a key with this label is there already.
Expected<std::string> generate_p256_key(std::string_view token_uri, std::string_view label,
                                        const TokenSettings& token);

// What the token says about a private key, and whether its value could be read.
struct KeyProtection {
    bool sensitive = false;
    bool extractable = true;
    bool always_sensitive = false;
    bool never_extractable = false;
    bool value_readable = true;  // C_GetAttributeValue(CKA_VALUE) returned the key
    std::string value_refusal;   // what the token answered instead, e.g. CKR_ATTRIBUTE_SENSITIVE
};
Expected<KeyProtection> inspect_private_key(std::string_view uri, const TokenSettings& token);

}  // namespace lintel::pkcs11
