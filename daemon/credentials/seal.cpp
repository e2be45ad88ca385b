// OpenSSL behind seal.hpp: key encapsulation to the sealing key, HKDF-SHA256, AES-256-GCM.
#include "credentials/seal.hpp"

#include <array>
#include <cstdint>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "commands/openssl_support.hpp"
#include "common/hex.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials/sealing_key_impl.hpp"

namespace lintel::credentials {
namespace {

namespace ossl = commands::ossl;

using CipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, ossl::Deleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, ossl::Deleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;

constexpr std::string_view k_magic = "LNTLSEAL";
constexpr std::uint8_t k_format = 1;
// Key encapsulations: ephemeral-static ECDH on P-256 (the shared x-coordinate), or 32 random
// bytes encrypted with RSA-OAEP (SHA-256, MGF1-SHA-256).
constexpr std::uint8_t k_kem_ecdh_p256 = 1;
constexpr std::uint8_t k_kem_rsa_oaep = 2;
constexpr std::string_view k_hkdf_label = "lintel seal v1";
constexpr std::size_t k_fingerprint_bytes = 32;
constexpr std::size_t k_nonce_bytes = 12;
constexpr std::size_t k_tag_bytes = 16;
constexpr std::size_t k_key_bytes = 32;
constexpr std::size_t k_p256_point_bytes = 65;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::unexpected<Error> corrupt(std::string what) {
    ERR_clear_error();
    return make_error(std::string(error::sealed_corrupt), std::move(what));
}

std::string raw_fingerprint(const std::string& hex) { return common::from_hex(hex).value_or(""); }

bool printable_purpose(std::string_view purpose) {
    if (purpose.empty() || purpose.size() > 64) return false;
    for (char c : purpose) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

// The shared secret of an encapsulation, wiped when dropped.
struct Encapsulated {
    std::string enc;  // what goes into the header
    Secret secret;    // the input keying material
};

Expected<Secret> ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
    std::size_t length = 0;
    // validate_peer = 1: a point not on the curve (or the identity) is refused here.
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 1) != 1 ||
        EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) {
        return ossl::failure(error::crypto, "ECDH failed");
    }
    Secret shared;
    shared.resize(length);
    if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(shared.data()), &length) != 1) {
        return ossl::failure(error::crypto, "ECDH failed");
    }
    shared.resize(length);
    return shared;
}

Expected<Encapsulated> encapsulate(const SealingKey::Impl& id) {
    Encapsulated out;
    if (id.type == DeviceKeyType::p256) {
        ossl::PkeyPtr ephemeral(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        if (!ephemeral) return ossl::failure(error::crypto, "cannot generate an ephemeral key");
        unsigned char* point = nullptr;
        const std::size_t size = EVP_PKEY_get1_encoded_public_key(ephemeral.get(), &point);
        if (size != k_p256_point_bytes || point == nullptr) {
            OPENSSL_free(point);
            return ossl::failure(error::crypto, "cannot encode the ephemeral key");
        }
        out.enc.assign(reinterpret_cast<char*>(point), size);
        OPENSSL_free(point);
        // The public half from the certificate (it matches the key): a token key's EVP_PKEY has no
        // private scalar that OpenSSL could check when it is used as the peer.
        auto shared = ecdh(ephemeral.get(), id.public_key.get());
        if (!shared) return std::unexpected(shared.error());
        out.secret = std::move(*shared);
        return out;
    }
    out.secret.resize(k_key_bytes);
    if (RAND_priv_bytes(reinterpret_cast<unsigned char*>(out.secret.data()),
                        static_cast<int>(k_key_bytes)) != 1) {
        return ossl::failure(error::crypto, "no random bytes");
    }
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, id.public_key.get(), nullptr));
    std::size_t length = 0;
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_encrypt(ctx.get(), nullptr, &length, bytes(out.secret.reveal()),
                         out.secret.size()) != 1) {
        return ossl::failure(error::crypto, "cannot start RSA-OAEP");
    }
    out.enc.resize(length);
    if (EVP_PKEY_encrypt(ctx.get(), bytes(out.enc), &length, bytes(out.secret.reveal()),
                         out.secret.size()) != 1) {
        return ossl::failure(error::crypto, "RSA-OAEP failed");
    }
    out.enc.resize(length);
    return out;
}

// The sealing key's half: needs the private key (a file's or a token's).
Expected<Secret> decapsulate(const SealingKey::Impl& id, std::string_view enc) {
    if (id.type == DeviceKeyType::p256) {
        if (enc.size() != k_p256_point_bytes) return corrupt("the ephemeral key has a wrong size");
        std::string group = "prime256v1";
        std::string point(enc);
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
            OSSL_PARAM_construct_end()};
        ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        EVP_PKEY* peer = nullptr;
        if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
            EVP_PKEY_fromdata(ctx.get(), &peer, EVP_PKEY_PUBLIC_KEY,
                              const_cast<OSSL_PARAM*>(params)) != 1) {
            return corrupt("the ephemeral key is not a P-256 point");
        }
        ossl::PkeyPtr owned(peer);
        auto shared = ecdh(id.key.get(), owned.get());
        if (!shared) return corrupt("the ephemeral key is not a usable P-256 point");
        return shared;
    }
    if (enc.size() != static_cast<std::size_t>(EVP_PKEY_get_size(id.key.get()))) {
        return corrupt("the wrapped key has a wrong size");
    }
    ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, id.key.get(), nullptr));
    std::size_t length = 0;
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) != 1 ||
        EVP_PKEY_decrypt(ctx.get(), nullptr, &length, bytes(enc), enc.size()) != 1) {
        return ossl::failure(error::crypto, "cannot start RSA-OAEP");
    }
    Secret secret;
    secret.resize(length);
    if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(secret.data()), &length,
                         bytes(enc), enc.size()) != 1 ||
        length != k_key_bytes) {
        return corrupt("the wrapped key does not decrypt");
    }
    secret.resize(length);
    return secret;
}

// AES-256 key = HKDF-SHA256(ikm = the encapsulated secret, no salt, info = label || header).
Expected<Secret> derive_key(const Secret& ikm, std::string_view header) {
    KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    KdfCtxPtr ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
    if (!ctx) return ossl::failure(error::crypto, "no HKDF");
    std::string info(k_hkdf_label);
    info.append(header);
    std::string digest = "SHA256";
    std::string key_material(ikm.reveal());  // OSSL_PARAM wants non-const; wiped below
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_material.data(),
                                          key_material.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
        OSSL_PARAM_construct_end()};
    Secret key;
    key.resize(k_key_bytes);
    const int rc = EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(key.data()),
                                  k_key_bytes, params);
    wipe(key_material.data(), key_material.size());
    if (rc != 1) return ossl::failure(error::crypto, "HKDF failed");
    return key;
}

void put_u16(std::string& out, std::size_t value) {
    out += static_cast<char>((value >> 8) & 0xff);
    out += static_cast<char>(value & 0xff);
}

// Parsed header fields (views into the sealed text).
struct Header {
    std::uint8_t kem = 0;
    std::string_view purpose;
    std::string_view fingerprint;
    std::string_view enc;
    std::string_view nonce;
    std::size_t size = 0;       // bytes up to and including the nonce (the AAD)
    std::size_t info_size = 0;  // bytes up to and including enc (the HKDF info)
};

Expected<Header> parse_header(std::string_view s) {
    Header h;
    std::size_t at = 0;
    auto take = [&](std::size_t n) -> std::optional<std::string_view> {
        if (s.size() - at < n) return std::nullopt;
        const std::string_view part = s.substr(at, n);
        at += n;
        return part;
    };
    auto magic = take(k_magic.size());
    if (!magic || *magic != k_magic) return corrupt("not a lintel sealed file (no LNTLSEAL)");
    auto fixed = take(3);
    if (!fixed) return corrupt("cut short in its header");
    if (static_cast<std::uint8_t>((*fixed)[0]) != k_format) {
        return corrupt("sealed format " + std::to_string(static_cast<std::uint8_t>((*fixed)[0])) +
                       " is not the one this lintel reads (1)");
    }
    h.kem = static_cast<std::uint8_t>((*fixed)[1]);
    if (h.kem != k_kem_ecdh_p256 && h.kem != k_kem_rsa_oaep) {
        return corrupt("unknown key encapsulation " + std::to_string(h.kem));
    }
    auto purpose = take(static_cast<std::uint8_t>((*fixed)[2]));
    auto fingerprint = take(k_fingerprint_bytes);
    auto enc_size = take(2);
    if (!purpose || !fingerprint || !enc_size) return corrupt("cut short in its header");
    h.purpose = *purpose;
    h.fingerprint = *fingerprint;
    const std::size_t n =
        (static_cast<std::size_t>(static_cast<std::uint8_t>((*enc_size)[0])) << 8) |
        static_cast<std::uint8_t>((*enc_size)[1]);
    auto enc = take(n);
    if (!enc) return corrupt("cut short in its header");
    h.enc = *enc;
    h.info_size = at;
    auto nonce = take(k_nonce_bytes);
    if (!nonce) return corrupt("cut short in its header");
    h.nonce = *nonce;
    h.size = at;
    if (s.size() - at < k_tag_bytes) return corrupt("cut short (no authentication tag)");
    return h;
}

}  // namespace

Expected<std::string> seal(const Secret& plaintext, std::string_view purpose,
                           const SealingKey& sealing_key) {
    if (!printable_purpose(purpose)) {
        return make_error(std::string(error::crypto), "a seal purpose is 1-64 printable ASCII");
    }
    if (plaintext.size() > k_max_sealed_bytes - 1024) {
        return make_error(std::string(error::crypto), "too much to seal");
    }
    const SealingKey::Impl& id = sealing_key.impl();
    auto encapsulated = encapsulate(id);
    if (!encapsulated) return std::unexpected(encapsulated.error());

    std::string out(k_magic);
    out += static_cast<char>(k_format);
    out += static_cast<char>(id.type == DeviceKeyType::p256 ? k_kem_ecdh_p256 : k_kem_rsa_oaep);
    out += static_cast<char>(purpose.size());
    out.append(purpose);
    out += raw_fingerprint(id.fingerprint);
    put_u16(out, encapsulated->enc.size());
    out += encapsulated->enc;
    auto key = derive_key(encapsulated->secret, out);
    if (!key) return std::unexpected(key.error());
    std::string nonce(k_nonce_bytes, '\0');
    if (RAND_bytes(bytes(nonce), static_cast<int>(nonce.size())) != 1) {
        return ossl::failure(error::crypto, "no random bytes");
    }
    out += nonce;
    const std::size_t aad_size = out.size();

    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key->reveal()),
                           bytes(nonce)) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(out), static_cast<int>(aad_size)) !=
            1) {
        return ossl::failure(error::crypto, "cannot start AES-256-GCM");
    }
    out.resize(aad_size + plaintext.size() + k_tag_bytes);
    unsigned char* body = bytes(out) + aad_size;
    if (EVP_EncryptUpdate(ctx.get(), body, &length, bytes(plaintext.reveal()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), body + length, &length) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(k_tag_bytes),
                            body + plaintext.size()) != 1) {
        return ossl::failure(error::crypto, "AES-256-GCM failed");
    }
    return out;
}

Expected<Secret> unseal(std::string_view sealed, std::string_view purpose,
                        const SealingKey& sealing_key) {
    if (sealed.size() > k_max_sealed_bytes) {
        return corrupt("larger than " + std::to_string(k_max_sealed_bytes) + " bytes");
    }
    auto header = parse_header(sealed);
    if (!header) return std::unexpected(header.error());
    const SealingKey::Impl& id = sealing_key.impl();
    const std::string ours = raw_fingerprint(id.fingerprint);
    if (header->fingerprint != ours) {
        return make_error(
            std::string(error::sealed_wrong_key),
            "sealed for key sha256:" + common::to_hex(header->fingerprint).substr(0, 16) +
                ", this gateway's sealing key (" + id.location +
                ") is sha256:" + id.fingerprint.substr(0, 16) +
                " (the key was replaced: the credentials must be delivered again)");
    }
    if (header->purpose != purpose) {
        return corrupt("sealed for another purpose (\"" +
                       std::string(header->purpose.substr(0, 64)) + "\", expected \"" +
                       std::string(purpose) + "\")");
    }
    const std::uint8_t expected_kem =
        id.type == DeviceKeyType::p256 ? k_kem_ecdh_p256 : k_kem_rsa_oaep;
    if (header->kem != expected_kem) return corrupt("the key encapsulation does not fit the key");
    auto secret = decapsulate(id, header->enc);
    if (!secret) return std::unexpected(secret.error());
    auto key = derive_key(*secret, sealed.substr(0, header->info_size));
    if (!key) return std::unexpected(key.error());

    const std::string_view aad = sealed.substr(0, header->size);
    const std::size_t body_size = sealed.size() - header->size - k_tag_bytes;
    if (body_size == 0) return corrupt("holds nothing");
    const std::string_view body = sealed.substr(header->size, body_size);
    std::string tag(sealed.substr(header->size + body_size));
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    if (!ctx ||
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key->reveal()),
                           bytes(header->nonce)) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) !=
            1) {
        return ossl::failure(error::crypto, "cannot start AES-256-GCM");
    }
    Secret plaintext;
    plaintext.resize(body_size);
    auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
    if (EVP_DecryptUpdate(ctx.get(), out, &length, bytes(body), static_cast<int>(body.size())) !=
            1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(k_tag_bytes),
                            tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out + length, &length) != 1) {
        return corrupt("does not authenticate: it was modified or damaged");
    }
    return plaintext;
}

}  // namespace lintel::credentials
