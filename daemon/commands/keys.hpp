// Public and private keys for signed commands and results: Ed25519, P-256 and (results only)
// RSA >= 2048. Signatures are in JOSE form (RFC 7515/7518/8037); OpenSSL stays in keys.cpp.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace lintel::commands {

enum class KeyType { ed25519, p256, rsa };

// JWS "alg" values lintel knows. Each key type verifies exactly one of them.
enum class JwsAlg { eddsa, es256, rs256 };

std::string_view to_string(KeyType type);                // "Ed25519", "P-256", "RSA"
std::string_view to_string(JwsAlg alg);                  // "EdDSA", "ES256", "RS256"
std::optional<JwsAlg> parse_alg(std::string_view name);  // exact, case-sensitive
JwsAlg alg_for(KeyType type);

// Smallest RSA modulus accepted (RFC 7518 §3.3 requires 2048).
inline constexpr int k_min_rsa_bits = 2048;

// An immutable public key; cheap to copy, safe to share between threads.
class PublicKey {
public:
    // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo) PEM text.
    static Expected<PublicKey> from_pem(std::string_view pem);
    static Expected<PublicKey> from_pem_file(const std::filesystem::path& path);
    // The key of the first certificate in a PEM file (see certificate.hpp for more).
    static Expected<PublicKey> from_certificate_file(const std::filesystem::path& path);
    // DER SubjectPublicKeyInfo.
    static Expected<PublicKey> from_spki_der(std::string_view der);

    KeyType type() const;
    JwsAlg alg() const { return alg_for(type()); }
    int bits() const;
    // Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo: what logs and docs show, and what
    // `openssl pkey -pubin -outform DER | sha256sum` prints.
    const std::string& fingerprint() const;
    std::string spki_der() const;
    std::string to_pem() const;

    // Verifies a JOSE `signature` of `data` made with `alg`. Errors:
    //   cmd.unsupported_alg  `alg` is not the one algorithm of this key type (no confusion:
    //                        an Ed25519 key never checks an ES256 signature, and so on)
    //   cmd.bad_signature    anything else, a signature of the wrong length included
    Expected<void> verify(std::string_view data, std::string_view signature, JwsAlg alg) const;

    struct Impl;

private:
    explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

// A private key. Its material never leaves this class except into a new 0600 file.
class PrivateKey {
public:
    // Refuses a file group or others can access (see key_files.hpp) and encrypted keys (a
    // daemon cannot type a passphrase; OpenSSL is never allowed to prompt on a terminal).
    static Expected<PrivateKey> from_pem_file(const std::filesystem::path& path);
    // Ed25519 or P-256 (RSA keys come from files: gateways' TLS keys).
    static Expected<PrivateKey> generate(KeyType type);
    // Shares a key opened elsewhere, e.g. the gateway's key in a PKCS#11 token (daemon/pkcs11):
    // signing then runs wherever that key lives.
    static Expected<PrivateKey> from_evp_pkey(evp_pkey_st* key);

    KeyType type() const { return public_key_.type(); }
    JwsAlg alg() const { return public_key_.alg(); }
    const PublicKey& public_key() const { return public_key_; }

    // The JOSE signature of `data`: 64 bytes for EdDSA, 64 bytes R||S for ES256, modulus-sized
    // PKCS #1 v1.5 for RS256.
    Expected<std::string> sign(std::string_view data) const;

    // Writes the key as unencrypted PKCS #8 PEM to a new file with mode 0600; refuses to
    // overwrite anything (commands.file_exists).
    Expected<void> save_pem(const std::filesystem::path& path) const;

    struct Impl;

private:
    static Expected<PrivateKey> adopt(std::shared_ptr<Impl> impl);
    PrivateKey(std::shared_ptr<const Impl> impl, PublicKey public_key)
        : impl_(std::move(impl)), public_key_(std::move(public_key)) {}
    std::shared_ptr<const Impl> impl_;
    PublicKey public_key_;
};

}  // namespace lintel::commands
