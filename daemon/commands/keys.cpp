// OpenSSL behind keys.hpp: loading, classifying, fingerprinting, JOSE signatures.
#include "commands/keys.hpp"

#include <array>
#include <climits>
#include <cstdio>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "commands/certificate.hpp"
#include "commands/key_files.hpp"
#include "commands/openssl_support.hpp"
#include "commands/reason_codes.hpp"
#include "common/hex.hpp"

namespace lintel::commands {

struct PublicKey::Impl {
    ossl::PkeyPtr pkey;
    KeyType type = KeyType::ed25519;
    int bits = 0;
    std::string fingerprint;
};

struct PrivateKey::Impl {
    ossl::PkeyPtr pkey;
};

namespace {

constexpr std::size_t k_p256_half = 32;  // bytes of R and of S in an ES256 signature
constexpr std::size_t k_ed25519_signature = 64;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// What lintel accepts, and which type it is; `what` names the key in messages.
Expected<KeyType> classify(EVP_PKEY* pkey, const std::string& what) {
    if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::ed25519;
    if (EVP_PKEY_is_a(pkey, "EC")) {
        std::array<char, 64> group{};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &length) != 1) {
            return ossl::failure(error::key_invalid, what + ": cannot read its EC curve");
        }
        const std::string_view name(group.data(), length);
        if (name != "prime256v1" && name != "P-256") {
            return make_error(std::string(error::key_unsupported),
                              what + " is an EC key on curve " + std::string(name) +
                                  "; lintel supports only P-256 (prime256v1) for ES256");
        }
        return KeyType::p256;
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits < k_min_rsa_bits) {
            return make_error(std::string(error::key_unsupported),
                              what + " is a " + std::to_string(bits) +
                                  "-bit RSA key; RS256 needs at least " +
                                  std::to_string(k_min_rsa_bits) + " bits");
        }
        return KeyType::rsa;
    }
    const char* type_name = EVP_PKEY_get0_type_name(pkey);
    return make_error(std::string(error::key_unsupported),
                      what + " is a " + std::string(type_name != nullptr ? type_name : "unknown") +
                          " key; lintel supports Ed25519, EC P-256 and (for results) RSA");
}

Expected<std::string> spki_of(EVP_PKEY* pkey) {
    const int length = i2d_PUBKEY(pkey, nullptr);
    if (length <= 0) return ossl::failure(error::crypto, "cannot encode a public key");
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_PUBKEY(pkey, &out) != length) {
        return ossl::failure(error::crypto, "cannot encode a public key");
    }
    return der;
}

// Takes ownership of a public (or private: only its public half is used) key.
Expected<std::shared_ptr<const PublicKey::Impl>> make_public_impl(ossl::PkeyPtr pkey,
                                                                  const std::string& what) {
    auto type = classify(pkey.get(), what);
    if (!type) return std::unexpected(type.error());
    if (*type == KeyType::p256) {
        // Decoding already checks the point is on the curve; this also refuses the identity.
        ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
        if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
            return ossl::failure(error::key_invalid, what + " is not a valid P-256 public key");
        }
    }
    auto der = spki_of(pkey.get());
    if (!der) return std::unexpected(der.error());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    if (EVP_Digest(der->data(), der->size(), digest.data(), &digest_size, EVP_sha256(), nullptr) !=
        1) {
        return ossl::failure(error::crypto, "cannot hash a public key");
    }
    auto impl = std::make_shared<PublicKey::Impl>();
    impl->type = *type;
    impl->bits = EVP_PKEY_get_bits(pkey.get());
    impl->fingerprint = common::to_hex(digest.data(), digest_size);
    impl->pkey = std::move(pkey);
    return std::shared_ptr<const PublicKey::Impl>(std::move(impl));
}

const EVP_MD* digest_for(KeyType type) { return type == KeyType::ed25519 ? nullptr : EVP_sha256(); }

// ES256 on the wire is R||S, 32 bytes each (RFC 7518 §3.4); OpenSSL speaks DER.
Expected<std::string> raw_to_der(std::string_view raw) {
    ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(bytes(raw), static_cast<int>(k_p256_half), nullptr);
    BIGNUM* s = BN_bin2bn(bytes(raw) + k_p256_half, static_cast<int>(k_p256_half), nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return ossl::failure(error::crypto, "cannot build an ECDSA signature");
    }
    const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (length <= 0) return ossl::failure(error::crypto, "cannot encode an ECDSA signature");
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_ECDSA_SIG(sig.get(), &out) != length) {
        return ossl::failure(error::crypto, "cannot encode an ECDSA signature");
    }
    return der;
}

Expected<std::string> der_to_raw(std::string_view der) {
    const unsigned char* in = bytes(der);
    ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
    if (!sig)
        return ossl::failure(error::crypto, "OpenSSL returned an undecodable ECDSA signature");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string raw(2 * k_p256_half, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(r, out, static_cast<int>(k_p256_half)) < 0 ||
        BN_bn2binpad(s, out + k_p256_half, static_cast<int>(k_p256_half)) < 0) {
        return ossl::failure(error::crypto, "ECDSA signature component longer than 32 bytes");
    }
    return raw;
}

// "an Ed25519 key", "a P-256 key", "an RSA key".
std::string a_key_of(KeyType type) {
    return std::string(type == KeyType::p256 ? "a " : "an ") + std::string(to_string(type)) +
           " key";
}

std::unexpected<Error> bad_signature(std::string why) {
    ERR_clear_error();  // a refused signature is an answer, not an OpenSSL failure to report
    return make_error(std::string(reason::bad_signature), std::move(why));
}

// The passphrase callback: never prompt (OpenSSL's default reads the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

std::string_view to_string(KeyType type) {
    switch (type) {
        case KeyType::ed25519:
            return "Ed25519";
        case KeyType::p256:
            return "P-256";
        case KeyType::rsa:
            return "RSA";
    }
    return "?";
}

std::string_view to_string(JwsAlg alg) {
    switch (alg) {
        case JwsAlg::eddsa:
            return "EdDSA";
        case JwsAlg::es256:
            return "ES256";
        case JwsAlg::rs256:
            return "RS256";
    }
    return "?";
}

std::optional<JwsAlg> parse_alg(std::string_view name) {
    for (JwsAlg alg : {JwsAlg::eddsa, JwsAlg::es256, JwsAlg::rs256}) {
        if (to_string(alg) == name) return alg;
    }
    return std::nullopt;
}

JwsAlg alg_for(KeyType type) {
    switch (type) {
        case KeyType::ed25519:
            return JwsAlg::eddsa;
        case KeyType::p256:
            return JwsAlg::es256;
        case KeyType::rsa:
            return JwsAlg::rs256;
    }
    return JwsAlg::eddsa;
}

// ---- PublicKey ----

Expected<PublicKey> PublicKey::from_pem(std::string_view pem) {
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos &&
        pem.find("-----BEGIN PUBLIC KEY-----") == std::string_view::npos) {
        return make_error(std::string(error::key_invalid),
                          "expected a PUBLIC KEY PEM block, got a certificate (use the "
                          "certificate loader for it)");
    }
    auto bio = ossl::memory_bio(pem);
    if (!bio) return std::unexpected(bio.error());
    ossl::PkeyPtr pkey(PEM_read_bio_PUBKEY(bio->get(), nullptr, nullptr, nullptr));
    if (!pkey) {
        return ossl::failure(error::key_invalid,
                             "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
    }
    auto impl = make_public_impl(std::move(pkey), "public key");
    if (!impl) return std::unexpected(impl.error());
    return PublicKey(std::move(*impl));
}

Expected<PublicKey> PublicKey::from_pem_file(const std::filesystem::path& path) {
    auto text = read_public_file(path, "public key");
    if (!text) return std::unexpected(text.error());
    auto key = from_pem(*text);
    if (!key) {
        return make_error(key.error().code,
                          "public key " + path.string() + ": " + key.error().message);
    }
    return key;
}

Expected<PublicKey> PublicKey::from_certificate_file(const std::filesystem::path& path) {
    auto cert = Certificate::from_file(path);
    if (!cert) return std::unexpected(cert.error());
    return cert->public_key();
}

Expected<PublicKey> PublicKey::from_spki_der(std::string_view der) {
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) {
        return make_error(std::string(error::key_invalid), "public key too large");
    }
    const unsigned char* in = bytes(der);
    ossl::PkeyPtr pkey(d2i_PUBKEY(nullptr, &in, static_cast<long>(der.size())));
    if (!pkey) return ossl::failure(error::key_invalid, "not a DER SubjectPublicKeyInfo");
    if (in != bytes(der) + der.size()) {
        return make_error(std::string(error::key_invalid),
                          "trailing bytes after the DER SubjectPublicKeyInfo");
    }
    auto impl = make_public_impl(std::move(pkey), "public key");
    if (!impl) return std::unexpected(impl.error());
    return PublicKey(std::move(*impl));
}

KeyType PublicKey::type() const { return impl_->type; }
int PublicKey::bits() const { return impl_->bits; }
const std::string& PublicKey::fingerprint() const { return impl_->fingerprint; }

std::string PublicKey::spki_der() const {
    auto der = spki_of(impl_->pkey.get());
    return der ? *der : std::string();
}

std::string PublicKey::to_pem() const {
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (size <= 0 || data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(size));
}

Expected<void> PublicKey::verify(std::string_view data, std::string_view signature,
                                 JwsAlg alg) const {
    const KeyType type = impl_->type;
    if (alg != alg_for(type)) {
        return make_error(std::string(reason::unsupported_alg),
                          "alg " + std::string(to_string(alg)) +
                              " does not match the key: " + a_key_of(type) + " verifies only " +
                              std::string(to_string(alg_for(type))));
    }
    std::string der;  // ES256 only
    std::string_view sig = signature;
    switch (type) {
        case KeyType::ed25519:
            if (signature.size() != k_ed25519_signature) {
                return bad_signature("an EdDSA signature is 64 bytes, got " +
                                     std::to_string(signature.size()));
            }
            break;
        case KeyType::p256: {
            if (signature.size() != 2 * k_p256_half) {
                return bad_signature("an ES256 signature is 64 bytes (R||S), got " +
                                     std::to_string(signature.size()));
            }
            auto converted = raw_to_der(signature);
            if (!converted) return std::unexpected(converted.error());
            der = std::move(*converted);
            sig = der;
            break;
        }
        case KeyType::rsa: {
            const auto expected = static_cast<std::size_t>(EVP_PKEY_get_size(impl_->pkey.get()));
            if (signature.size() != expected) {
                return bad_signature("an RS256 signature with this key is " +
                                     std::to_string(expected) + " bytes, got " +
                                     std::to_string(signature.size()));
            }
            break;
        }
    }
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx ||
        EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(type), nullptr, impl_->pkey.get()) != 1) {
        return ossl::failure(error::crypto, "cannot start a signature verification");
    }
    if (type == KeyType::rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return ossl::failure(error::crypto, "cannot select PKCS #1 v1.5 padding");
    }
    if (EVP_DigestVerify(ctx.get(), bytes(sig), sig.size(), bytes(data), data.size()) != 1) {
        return bad_signature("the signature does not verify with key sha256:" +
                             impl_->fingerprint.substr(0, 16));
    }
    return {};
}

// ---- PrivateKey ----

// Both ways to get a key (a file, a new one) end here: the public half is derived, never stored.
Expected<PrivateKey> PrivateKey::adopt(std::shared_ptr<Impl> impl) {
    auto der = spki_of(impl->pkey.get());
    if (!der) return std::unexpected(der.error());
    auto public_key = PublicKey::from_spki_der(*der);
    if (!public_key) return std::unexpected(public_key.error());
    return PrivateKey(std::move(impl), std::move(*public_key));
}

Expected<PrivateKey> PrivateKey::from_pem_file(const std::filesystem::path& path) {
    auto secret = read_private_file(path);
    if (!secret) return std::unexpected(secret.error());
    const std::string what = "private key " + path.string();
    if (secret->view().find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
        secret->view().find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
        return make_error(std::string(error::key_unsupported),
                          what +
                              " is encrypted; lintel needs an unencrypted key protected by "
                              "its file mode (0600)");
    }
    auto bio = ossl::memory_bio(secret->view());
    if (!bio) return std::unexpected(bio.error());
    ossl::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr));
    if (!pkey) return ossl::failure(error::key_invalid, what + " is not a PEM private key");
    auto type = classify(pkey.get(), what);
    if (!type) return std::unexpected(type.error());
    auto impl = std::make_shared<Impl>();
    impl->pkey = std::move(pkey);
    return adopt(std::move(impl));
}

Expected<PrivateKey> PrivateKey::from_evp_pkey(EVP_PKEY* key) {
    if (key == nullptr || EVP_PKEY_up_ref(key) != 1)
        return ossl::failure(error::crypto, "no key to share");
    auto impl = std::make_shared<Impl>();
    impl->pkey.reset(key);
    return adopt(std::move(impl));
}

Expected<PrivateKey> PrivateKey::generate(KeyType type) {
    ossl::PkeyPtr pkey;
    switch (type) {
        case KeyType::ed25519:
            pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
            break;
        case KeyType::p256:
            pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
            break;
        case KeyType::rsa:
            return make_error(std::string(error::key_unsupported),
                              "lintel generates Ed25519 and P-256 keys only");
    }
    if (!pkey) {
        return ossl::failure(error::crypto, "cannot generate " + a_key_of(type));
    }
    auto impl = std::make_shared<Impl>();
    impl->pkey = std::move(pkey);
    return adopt(std::move(impl));
}

Expected<std::string> PrivateKey::sign(std::string_view data) const {
    const KeyType key_type = type();
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, digest_for(key_type), nullptr,
                                   impl_->pkey.get()) != 1) {
        return ossl::failure(error::crypto, "cannot start signing");
    }
    if (key_type == KeyType::rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return ossl::failure(error::crypto, "cannot select PKCS #1 v1.5 padding");
    }
    const int max_size = EVP_PKEY_get_size(impl_->pkey.get());
    if (max_size <= 0) return ossl::failure(error::crypto, "cannot size a signature");
    std::string signature(static_cast<std::size_t>(max_size), '\0');
    std::size_t length = signature.size();
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       bytes(data), data.size()) != 1) {
        return ossl::failure(error::crypto, "signing failed");
    }
    signature.resize(length);
    if (key_type == KeyType::p256) return der_to_raw(signature);
    return signature;
}

Expected<void> PrivateKey::save_pem(const std::filesystem::path& path) const {
    // A secure-memory BIO: its buffer is wiped when freed.
    ossl::BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        return ossl::failure(error::crypto, "cannot encode the private key");
    }
    char* data = nullptr;
    const long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (size <= 0 || data == nullptr) {
        return ossl::failure(error::crypto, "cannot encode the private key");
    }
    return write_new_file(path, std::string_view(data, static_cast<std::size_t>(size)), 0600);
}

}  // namespace lintel::commands
