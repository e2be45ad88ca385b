// OpenSSL adapter behind csr.hpp: builds and signs the X509_REQ.
#include "pkcs11/csr.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "commands/openssl_support.hpp"
#include "pkcs11/reason_codes.hpp"

namespace lintel::pkcs11 {
namespace {

std::unexpected<Error> fail(const std::string& what) {
    return commands::ossl::failure(error::csr, "cannot make the certificate request: " + what);
}

}  // namespace

Expected<std::string> make_csr_pem(evp_pkey_st* key, std::string_view gateway_id) {
    if (key == nullptr) return fail("no key");
    if (gateway_id.empty() || gateway_id.size() > 64)
        return fail("the gateway id must be 1-64 characters");
    ERR_clear_error();
    std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), X509_REQ_free);
    if (!req || X509_REQ_set_version(req.get(), 0) != 1) return fail("X509_REQ_new");
    X509_NAME* name = X509_REQ_get_subject_name(req.get());
    const std::string cn(gateway_id);
    if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()),
                                   static_cast<int>(cn.size()), -1, 0) != 1) {
        return fail("subject CN");
    }
    if (X509_REQ_set_pubkey(req.get(), key) != 1) return fail("public key");
    if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) return fail("signing with the key");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) return fail("PEM encoding");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace lintel::pkcs11
