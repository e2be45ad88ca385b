// OpenSSL's CMS behind envelope.hpp.
#include "credentials/envelope.hpp"

#include <climits>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "commands/base64url.hpp"
#include "commands/openssl_support.hpp"
#include "credentials/device_identity_impl.hpp"
#include "credentials/envelope_profile.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {
namespace {

namespace ossl = commands::ossl;

using CmsPtr =
    std::unique_ptr<CMS_ContentInfo, ossl::Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;

std::unexpected<Error> fail(std::string_view code, std::string what) {
    ERR_clear_error();
    return make_error(std::string(code), std::move(what));
}

Expected<std::string> to_der(CMS_ContentInfo* cms) {
    const int length = i2d_CMS_ContentInfo(cms, nullptr);
    if (length <= 0) return ossl::failure(error::crypto, "cannot encode the envelope");
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_CMS_ContentInfo(cms, &out) != length) {
        return ossl::failure(error::crypto, "cannot encode the envelope");
    }
    return der;
}

// The parameters lintel uses on top of OpenSSL's defaults (PKCS #1 v1.5 and SHA-1 in the KDF).
Expected<void> set_key_parameters(CMS_RecipientInfo* ri, DeviceKeyType type) {
    EVP_PKEY_CTX* ctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
    if (ctx == nullptr) return ossl::failure(error::crypto, "no key context for the recipient");
    if (type == DeviceKeyType::rsa) {
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1) {
            return ossl::failure(error::crypto, "cannot select RSA-OAEP with SHA-256");
        }
        return {};
    }
    if (EVP_PKEY_CTX_set_ecdh_kdf_md(ctx, EVP_sha256()) != 1) {
        return ossl::failure(error::crypto, "cannot select the SHA-256 key derivation");
    }
    return {};
}

// Whether a recipient of `cms` names `cert` (issuer and serial, or subject key identifier).
bool addressed_to(CMS_ContentInfo* cms, X509* cert) {
    STACK_OF(CMS_RecipientInfo)* infos = CMS_get0_RecipientInfos(cms);
    for (int i = 0; i < sk_CMS_RecipientInfo_num(infos); ++i) {
        CMS_RecipientInfo* ri = sk_CMS_RecipientInfo_value(infos, i);
        const int type = CMS_RecipientInfo_type(ri);
        if (type == CMS_RECIPINFO_TRANS && CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0) {
            return true;
        }
        if (type == CMS_RECIPINFO_AGREE) {
            STACK_OF(CMS_RecipientEncryptedKey)* keys = CMS_RecipientInfo_kari_get0_reks(ri);
            for (int k = 0; k < sk_CMS_RecipientEncryptedKey_num(keys); ++k) {
                if (CMS_RecipientEncryptedKey_cert_cmp(sk_CMS_RecipientEncryptedKey_value(keys, k),
                                                       cert) == 0) {
                    return true;
                }
            }
        }
    }
    ERR_clear_error();
    return false;
}

}  // namespace

Expected<std::string> encrypt_envelope(const Secret& plaintext,
                                       std::string_view recipient_cert_pem) {
    auto cert_bio = ossl::memory_bio(recipient_cert_pem);
    if (!cert_bio) return std::unexpected(cert_bio.error());
    ossl::X509Ptr cert(PEM_read_bio_X509(cert_bio->get(), nullptr, nullptr, nullptr));
    if (!cert) return fail(error::identity, "the recipient is not a PEM certificate");
    EVP_PKEY* key = X509_get0_pubkey(cert.get());
    if (key == nullptr) return fail(error::identity, "the recipient certificate has no usable key");
    auto type = classify_device_key(key);
    if (!type) return std::unexpected(type.error());

    CmsPtr cms(CMS_encrypt(nullptr, nullptr, EVP_aes_256_gcm(), CMS_BINARY | CMS_PARTIAL));
    if (!cms) return ossl::failure(error::crypto, "cannot start a CMS envelope");
    CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms.get(), cert.get(), CMS_KEY_PARAM);
    if (ri == nullptr) return ossl::failure(error::crypto, "cannot add the recipient");
    if (auto params = set_key_parameters(ri, *type); !params)
        return std::unexpected(params.error());
    auto in = ossl::memory_bio(plaintext.reveal());
    if (!in) return std::unexpected(in.error());
    if (CMS_final(cms.get(), in->get(), nullptr, CMS_BINARY) != 1) {
        return ossl::failure(error::crypto, "cannot encrypt the envelope");
    }
    auto der = to_der(cms.get());
    if (!der) return std::unexpected(der.error());
    // What we make must be what we accept.
    if (auto profile = check_envelope_profile(*der); !profile) {
        return make_error(
            std::string(error::crypto),
            "OpenSSL made an envelope outside lintel's profile: " + profile.error().message);
    }
    return commands::base64_encode(*der);
}

Expected<Secret> decrypt_envelope(std::string_view text, const DeviceIdentity& identity) {
    if (text.size() > k_max_envelope_bytes) {
        return make_error(std::string(reason::too_large),
                          "envelope: " + std::to_string(text.size()) + " bytes; at most " +
                              std::to_string(k_max_envelope_bytes));
    }
    auto der = commands::base64_decode(text);
    if (!der) return fail(reason::malformed, "envelope: " + der.error().message);
    if (auto profile = check_envelope_profile(*der); !profile)
        return std::unexpected(profile.error());
    if (der->size() > static_cast<std::size_t>(LONG_MAX)) {
        return fail(reason::too_large, "envelope too large");
    }
    const auto* in = reinterpret_cast<const unsigned char*>(der->data());
    CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(der->size())));
    if (!cms) return fail(reason::malformed, "envelope: OpenSSL cannot read the CMS structure");
    // DER has one encoding per value: what OpenSSL parsed must encode back to the same bytes.
    auto again = to_der(cms.get());
    if (!again || *again != *der) {
        return fail(reason::malformed, "envelope: not in canonical DER");
    }
    const DeviceIdentity::Impl& id = identity.impl();
    if (!addressed_to(cms.get(), id.cert.get())) {
        return fail(reason::not_for_us,
                    "envelope: no recipient is this gateway's certificate (\"" + id.gateway_id +
                        "\"); it was made for another gateway or another certificate");
    }
    // A secure-memory BIO: OpenSSL wipes its buffer when it is freed.
    ossl::BioPtr out(BIO_new(BIO_s_secmem()));
    if (!out) return ossl::failure(error::crypto, "cannot create an output buffer");
    if (CMS_decrypt(cms.get(), id.key.get(), id.cert.get(), nullptr, out.get(), CMS_BINARY) != 1) {
        return make_error(std::string(reason::tampered),
                          "envelope: does not decrypt and authenticate with this gateway's key "
                          "(modified on the way, or damaged): " +
                              ossl::drain_errors());
    }
    char* data = nullptr;
    const long size = BIO_ctrl(out.get(), BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (size < 0 || (size > 0 && data == nullptr)) {
        return ossl::failure(error::crypto, "cannot read the decrypted envelope");
    }
    return Secret(std::string_view(data, static_cast<std::size_t>(size)));
}

Expected<Bundle> open_bundle(std::string_view text, const DeviceIdentity& identity,
                             std::int64_t now_ms) {
    auto plaintext = decrypt_envelope(text, identity);
    if (!plaintext) return std::unexpected(plaintext.error());
    auto bundle = parse_bundle(plaintext->reveal());
    if (!bundle) return bundle;
    if (auto checked = check_bundle(*bundle, identity.gateway_id(), now_ms); !checked) {
        return std::unexpected(checked.error());
    }
    return bundle;
}

Expected<std::string> encrypt_bundle(const Bundle& bundle, std::string_view recipient_cert_pem) {
    auto text = bundle_json(bundle);
    if (!text) return std::unexpected(text.error());
    return encrypt_envelope(*text, recipient_cert_pem);
}

}  // namespace lintel::credentials
