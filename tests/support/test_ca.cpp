// OpenSSL implementation of the test signer and CRL issuer (test_ca.hpp).
#include "support/test_ca.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "commands/openssl_support.hpp"
#include "support/files.hpp"

namespace lintel::test {

namespace {

template <typename T, void (*F)(T*)>
using Owned = std::unique_ptr<T, commands::ossl::Deleter<T, F>>;
using X509P = commands::ossl::X509Ptr;
using KeyP = commands::ossl::PkeyPtr;
using BioP = commands::ossl::BioPtr;
using ReqP = Owned<X509_REQ, X509_REQ_free>;
using CrlP = Owned<X509_CRL, X509_CRL_free>;
using BnP = Owned<BIGNUM, BN_free>;
using IntP = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using TimeP = Owned<ASN1_TIME, ASN1_TIME_free>;

std::unexpected<Error> fail(std::string what) {
    char buf[256] = {0};
    if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return make_error("test.ca", what + ": " + buf);
}

BioP bio_of(std::string_view text) {
    return BioP(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string text_of(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

struct LoadedCa {
    X509P cert;
    KeyP key;
};

Expected<LoadedCa> load_ca(const SignerCa& ca) {
    auto cert_text = read_file(ca.cert);
    auto key_text = read_file(ca.key);
    if (!cert_text || !key_text) return make_error("test.ca", "cannot read the CA files");
    LoadedCa out;
    out.cert.reset(PEM_read_bio_X509(bio_of(*cert_text).get(), nullptr, nullptr, nullptr));
    out.key.reset(PEM_read_bio_PrivateKey(bio_of(*key_text).get(), nullptr, nullptr, nullptr));
    if (!out.cert || !out.key) return fail("cannot parse the CA " + ca.cert.string());
    return out;
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

std::int64_t seconds_of(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Expected<std::string> sign_csr(const SignerCa& ca_files, std::string_view csr_pem,
                               const SignOptions& options) {
    if (options.fault == SignerFault::no_answer) return std::string();
    const SignerCa& signer =
        options.fault == SignerFault::other_ca && options.rogue ? *options.rogue : ca_files;
    auto ca = load_ca(signer);
    if (!ca) return std::unexpected(ca.error());
    ReqP req(PEM_read_bio_X509_REQ(bio_of(csr_pem).get(), nullptr, nullptr, nullptr));
    if (!req) return fail("not a PEM CSR");
    EVP_PKEY* req_key = X509_REQ_get0_pubkey(req.get());
    if (req_key == nullptr || X509_REQ_verify(req.get(), req_key) != 1)
        return fail("the CSR's signature does not verify");

    X509P cert(X509_new());
    X509_set_version(cert.get(), 2);
    BnP serial(BN_new());
    if (options.serial_hex) {
        BIGNUM* chosen = serial.release();
        if (BN_hex2bn(&chosen, options.serial_hex->c_str()) == 0) return fail("bad serial");
        serial.reset(chosen);
    } else {
        BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY);
    }
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca->cert.get()));
    if (options.fault == SignerFault::wrong_cn) {
        X509_NAME* name = X509_NAME_new();
        X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("someone-else"), -1, -1,
                                   0);
        X509_set_subject_name(cert.get(), name);
        X509_NAME_free(name);
    } else {
        X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req.get()));
    }
    KeyP other;
    if (options.fault == SignerFault::other_key) {
        other.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        X509_set_pubkey(cert.get(), other.get());
    } else {
        X509_set_pubkey(cert.get(), req_key);
    }
    if (options.fault == SignerFault::expired) {
        X509_time_adj_ex(X509_getm_notBefore(cert.get()), -2, 0, nullptr);
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), -1, 0, nullptr);
    } else {
        X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -60, nullptr);
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(options.validity);
        X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, static_cast<long>(secs.count()),
                         nullptr);
    }
    if (!add_ext(cert.get(), ca->cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(cert.get(), ca->cert.get(), NID_key_usage, "critical,digitalSignature") ||
        !add_ext(cert.get(), ca->cert.get(), NID_ext_key_usage, "clientAuth") ||
        !add_ext(cert.get(), ca->cert.get(), NID_subject_key_identifier, "hash") ||
        !add_ext(cert.get(), ca->cert.get(), NID_authority_key_identifier, "keyid")) {
        return fail("cannot add extensions");
    }
    if (X509_sign(cert.get(), ca->key.get(), EVP_sha256()) <= 0) return fail("cannot sign");
    BioP out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(out.get(), cert.get());
    return text_of(out.get());
}

Expected<std::string> make_crl(const SignerCa& ca_files, const CrlOptions& options) {
    auto ca = load_ca(ca_files);
    if (!ca) return std::unexpected(ca.error());
    CrlP crl(X509_CRL_new());
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca->cert.get()));
    TimeP last(ASN1_TIME_set(nullptr, static_cast<time_t>(seconds_of(options.this_update))));
    TimeP next(ASN1_TIME_set(nullptr, static_cast<time_t>(seconds_of(options.next_update))));
    X509_CRL_set1_lastUpdate(crl.get(), last.get());
    X509_CRL_set1_nextUpdate(crl.get(), next.get());
    if (options.revoked_serial_hex) {
        BIGNUM* bn = nullptr;
        if (BN_hex2bn(&bn, options.revoked_serial_hex->c_str()) == 0) return fail("bad serial");
        BnP owned(bn);
        X509_REVOKED* r = X509_REVOKED_new();
        IntP serial(BN_to_ASN1_INTEGER(owned.get(), nullptr));
        X509_REVOKED_set_serialNumber(r, serial.get());
        X509_REVOKED_set_revocationDate(r, last.get());
        X509_CRL_add0_revoked(crl.get(), r);
    }
    IntP number(ASN1_INTEGER_new());
    ASN1_INTEGER_set_uint64(number.get(), options.number);
    X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
    X509_CRL_sort(crl.get());
    if (X509_CRL_sign(crl.get(), ca->key.get(), EVP_sha256()) <= 0) return fail("cannot sign");
    BioP out(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_CRL(out.get(), crl.get());
    return text_of(out.get());
}

Expected<std::string> certificate_serial(std::string_view pem) {
    X509P cert(PEM_read_bio_X509(bio_of(pem).get(), nullptr, nullptr, nullptr));
    if (!cert) return fail("not a PEM certificate");
    BnP bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
    char* hex = BN_bn2hex(bn.get());
    std::string out = hex;
    OPENSSL_free(hex);
    return out;
}

}  // namespace lintel::test
