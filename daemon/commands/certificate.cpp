// OpenSSL behind certificate.hpp: X.509 parsing, subject CN, chain verification.
#include "commands/certificate.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "commands/key_files.hpp"
#include "commands/openssl_support.hpp"
#include "commands/reason_codes.hpp"

namespace lintel::commands {

struct Certificate::Impl {
    ossl::X509Ptr x509;
};

namespace {

Expected<Certificate> with_origin(Expected<Certificate> cert, const std::string& origin) {
    if (cert) return cert;
    return make_error(cert.error().code, origin + ": " + cert.error().message);
}

}  // namespace

Expected<Certificate> Certificate::from_file(const std::filesystem::path& path) {
    auto text = read_public_file(path, "certificate");
    if (!text) return std::unexpected(text.error());
    return with_origin(from_pem(*text), "certificate " + path.string());
}

Expected<Certificate> Certificate::from_pem(std::string_view pem) {
    auto bio = ossl::memory_bio(pem);
    if (!bio) return std::unexpected(bio.error());
    ossl::X509Ptr x509(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
    if (!x509) {
        return ossl::failure(error::cert_invalid,
                             "not a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509.get()), nullptr);
    if (length <= 0) return ossl::failure(error::cert_invalid, "cannot read its public key");
    std::string der(static_cast<std::size_t>(length), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509.get()), &out) != length) {
        return ossl::failure(error::cert_invalid, "cannot read its public key");
    }
    auto key = PublicKey::from_spki_der(der);
    if (!key) return std::unexpected(key.error());
    auto impl = std::make_shared<Impl>();
    impl->x509 = std::move(x509);
    return Certificate(std::move(impl), std::move(*key));
}

Expected<std::string> Certificate::common_name() const {
    const X509_NAME* name = X509_get_subject_name(impl_->x509.get());
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) {
        return make_error(std::string(error::cert_invalid),
                          "certificate subject \"" + subject() + "\" has no CN");
    }
    if (X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0) {
        return make_error(std::string(error::cert_invalid),
                          "certificate subject \"" + subject() +
                              "\" has more than one CN; which one names the gateway is ambiguous");
    }
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return ossl::failure(error::cert_invalid, "cannot decode the certificate's CN");
    std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    if (cn.find('\0') != std::string::npos) {
        return make_error(std::string(error::cert_invalid), "the certificate's CN contains a NUL");
    }
    return cn;
}

Expected<std::chrono::system_clock::time_point> Certificate::not_after() const {
    std::tm tm{};
    const ASN1_TIME* t = X509_get0_notAfter(impl_->x509.get());
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return make_error(std::string(error::cert_invalid), "certificate has no readable notAfter");
    }
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string Certificate::subject() const {
    return ossl::name_text(X509_get_subject_name(impl_->x509.get()));
}

Expected<void> Certificate::verify_chain(const std::filesystem::path& ca_file,
                                         std::chrono::system_clock::time_point at) const {
    // Read through our bounded reader first, so a missing or huge CA file gets a plain message.
    auto ca_text = read_public_file(ca_file, "CA file");
    if (!ca_text) return std::unexpected(ca_text.error());
    ossl::StorePtr store(X509_STORE_new());
    if (!store) return ossl::failure(error::crypto, "cannot create a certificate store");
    auto bio = ossl::memory_bio(*ca_text);
    if (!bio) return std::unexpected(bio.error());
    int loaded = 0;
    while (true) {
        ossl::X509Ptr ca(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
        if (!ca) break;
        if (X509_STORE_add_cert(store.get(), ca.get()) != 1) {
            return ossl::failure(error::crypto,
                                 "cannot add a CA certificate from " + ca_file.string());
        }
        ++loaded;
    }
    ERR_clear_error();  // the loop ends on "no start line"
    if (loaded == 0) {
        return make_error(std::string(error::cert_invalid),
                          "CA file " + ca_file.string() + " holds no PEM certificate");
    }
    ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), impl_->x509.get(), nullptr) != 1) {
        return ossl::failure(error::crypto, "cannot start certificate verification");
    }
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
    if (X509_verify_cert(ctx.get()) != 1) {
        const int code = X509_STORE_CTX_get_error(ctx.get());
        ERR_clear_error();
        return make_error(std::string(error::cert_untrusted),
                          "certificate \"" + subject() + "\" is not trusted by " +
                              ca_file.string() + ": " + X509_verify_cert_error_string(code));
    }
    return {};
}

}  // namespace lintel::commands
