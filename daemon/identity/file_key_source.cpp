// OpenSSL adapter: the file-backed key source (P-256 PEM keys, mode 0600) and the CSR it signs.
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "commands/key_files.hpp"
#include "commands/openssl_support.hpp"
#include "identity/key_source.hpp"
#include "identity/reason_codes.hpp"

namespace lintel::identity {

namespace ossl = commands::ossl;

void PkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

namespace {

using ReqPtr = std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ, X509_REQ_free>>;
using NamePtr = std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME, X509_NAME_free>>;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

class FileKeySource final : public KeySource {
public:
    Expected<void> generate(const std::filesystem::path& where) override {
        Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
        if (!key) return ossl::failure(reason::key_failed, "cannot generate a P-256 key");
        ossl::BioPtr bio(BIO_new(BIO_s_mem()));
        if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr) != 1) {
            return ossl::failure(reason::key_failed, "cannot encode the new key");
        }
        std::string pem = bio_text(bio.get());
        auto written = commands::write_new_file(where, pem, 0600);
        OPENSSL_cleanse(pem.data(), pem.size());
        if (!written) {
            return make_error(std::string(reason::key_failed), written.error().message);
        }
        return {};
    }

    Expected<Pkey> load(const std::filesystem::path& where) override {
        auto text = commands::read_private_file(where, "identity key");
        if (!text) return std::unexpected(text.error());
        auto bio = ossl::memory_bio(text->view());
        if (!bio) return std::unexpected(bio.error());
        Pkey key(PEM_read_bio_PrivateKey(bio->get(), nullptr, nullptr, nullptr));
        if (!key) {
            return ossl::failure(reason::key_failed,
                                 "identity key " + where.string() + " is not a PEM private key");
        }
        return key;
    }

    Expected<std::string> sign_csr(EVP_PKEY& key, std::string_view common_name) override {
        return make_csr_pem(key, common_name);
    }
};

}  // namespace

std::unique_ptr<KeySource> make_file_key_source() { return std::make_unique<FileKeySource>(); }

Expected<std::string> make_csr_pem(EVP_PKEY& key, std::string_view common_name) {
    ReqPtr req(X509_REQ_new());
    NamePtr name(X509_NAME_new());
    if (!req || !name) return ossl::failure(reason::key_failed, "cannot create a CSR");
    const std::string cn(common_name);
    if (X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()),
                                   static_cast<int>(cn.size()), -1, 0) != 1 ||
        X509_REQ_set_version(req.get(), 0) != 1 ||
        X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
        X509_REQ_set_pubkey(req.get(), &key) != 1) {
        return ossl::failure(reason::key_failed, "cannot fill the CSR");
    }
    if (X509_REQ_sign(req.get(), &key, EVP_sha256()) <= 0)
        return ossl::failure(reason::key_failed, "cannot sign the CSR");
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1)
        return ossl::failure(reason::key_failed, "cannot encode the CSR");
    return bio_text(bio.get());
}

Expected<bool> key_matches_certificate(EVP_PKEY& key, std::string_view certificate_pem) {
    auto bio = ossl::memory_bio(certificate_pem);
    if (!bio) return std::unexpected(bio.error());
    ossl::X509Ptr x509(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
    if (!x509) return ossl::failure(reason::bad_certificate, "not a PEM certificate");
    return EVP_PKEY_eq(X509_get0_pubkey(x509.get()), &key) == 1;
}

}  // namespace lintel::identity
