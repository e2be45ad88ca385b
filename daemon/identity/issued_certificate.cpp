// OpenSSL adapter behind issued_certificate.hpp: parsing, chain verification, key match.
#include "identity/issued_certificate.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <vector>

#include "commands/key_files.hpp"
#include "commands/openssl_support.hpp"
#include "identity/reason_codes.hpp"

namespace lintel::identity {

namespace ossl = commands::ossl;

namespace {

using StackPtr =
    std::unique_ptr<STACK_OF(X509),
                    decltype([](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); })>;

std::unexpected<Error> refuse(std::string_view code, std::string message) {
    ERR_clear_error();
    return std::unexpected(Error{std::string(code), std::move(message)});
}

// Every certificate of a PEM text, leaf first; anything else in between is ignored by OpenSSL's
// PEM reader, so the count of BEGIN markers is compared to catch a block that did not parse.
Expected<std::vector<ossl::X509Ptr>> read_chain(std::string_view pem) {
    constexpr std::string_view marker = "-----BEGIN CERTIFICATE-----";
    std::size_t markers = 0;
    for (auto at = pem.find(marker); at != std::string_view::npos; at = pem.find(marker, at + 1))
        ++markers;
    auto bio = ossl::memory_bio(pem);
    if (!bio) return std::unexpected(bio.error());
    std::vector<ossl::X509Ptr> chain;
    while (chain.size() <= markers) {
        ossl::X509Ptr x(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
        if (!x) break;
        chain.push_back(std::move(x));
    }
    ERR_clear_error();
    if (chain.empty() || chain.size() != markers)
        return refuse(reason::bad_certificate, "the reply holds no valid PEM certificate chain");
    return chain;
}

Expected<std::int64_t> time_ms(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1)
        return refuse(reason::bad_certificate, "the certificate has an unreadable validity");
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string single_cn(X509* x509) {
    const X509_NAME* name = X509_get_subject_name(x509);
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0) return "";
    unsigned char* utf8 = nullptr;
    const int length =
        ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (length < 0) {
        ERR_clear_error();
        return "";
    }
    std::string cn(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
    OPENSSL_free(utf8);
    return cn.find('\0') == std::string::npos ? cn : "";
}

Expected<CertificateFacts> facts_of(X509* x509) {
    CertificateFacts f;
    BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), nullptr);
    if (serial != nullptr) {
        char* hex = BN_bn2hex(serial);
        if (hex != nullptr) f.serial = hex;
        OPENSSL_free(hex);
        BN_free(serial);
    }
    f.subject = ossl::name_text(X509_get_subject_name(x509));
    f.common_name = single_cn(x509);
    auto nb = time_ms(X509_get0_notBefore(x509));
    if (!nb) return std::unexpected(nb.error());
    auto na = time_ms(X509_get0_notAfter(x509));
    if (!na) return std::unexpected(na.error());
    f.not_before_ms = *nb;
    f.not_after_ms = *na;
    return f;
}

Expected<void> verify_chain(const std::vector<ossl::X509Ptr>& chain,
                            const std::filesystem::path& ca_file,
                            std::chrono::system_clock::time_point now) {
    auto ca_text = commands::read_public_file(ca_file, "client CA file");
    if (!ca_text) return refuse(reason::untrusted, ca_text.error().message);
    ossl::StorePtr store(X509_STORE_new());
    auto bio = ossl::memory_bio(*ca_text);
    if (!store || !bio) return refuse(reason::untrusted, "cannot build a certificate store");
    int loaded = 0;
    while (ossl::X509Ptr ca{PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr)}) {
        if (X509_STORE_add_cert(store.get(), ca.get()) == 1) ++loaded;
    }
    ERR_clear_error();
    if (loaded == 0) return refuse(reason::untrusted, ca_file.string() + " holds no certificate");
    StackPtr untrusted(sk_X509_new_null());
    for (std::size_t i = 1; i < chain.size(); ++i) {
        X509_up_ref(chain[i].get());
        sk_X509_push(untrusted.get(), chain[i].get());
    }
    ossl::StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx ||
        X509_STORE_CTX_init(ctx.get(), store.get(), chain.front().get(), untrusted.get()) != 1) {
        return refuse(reason::untrusted, "cannot start certificate verification");
    }
    X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(now));
    // The certificate is for the uplink's TLS client side: checks EKU clientAuth when present.
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    if (X509_verify_cert(ctx.get()) != 1) {
        const int code = X509_STORE_CTX_get_error(ctx.get());
        return refuse(reason::untrusted, std::string("the certificate is not trusted by ") +
                                             ca_file.string() + ": " +
                                             X509_verify_cert_error_string(code));
    }
    return {};
}

}  // namespace

Expected<CertificateFacts> certificate_facts(std::string_view pem) {
    auto chain = read_chain(pem);
    if (!chain) return std::unexpected(chain.error());
    return facts_of(chain->front().get());
}

Expected<CertificateFacts> certificate_facts_of_file(const std::filesystem::path& path) {
    auto text = commands::read_public_file(path, "certificate");
    if (!text) return refuse(reason::bad_certificate, text.error().message);
    auto facts = certificate_facts(*text);
    if (!facts) return refuse(facts.error().code, path.string() + ": " + facts.error().message);
    return facts;
}

Expected<CertificateFacts> check_issued_certificate(std::string_view pem,
                                                    const IssueExpectations& expect) {
    auto chain = read_chain(pem);
    if (!chain) return std::unexpected(chain.error());
    X509* leaf = chain->front().get();
    auto facts = facts_of(leaf);
    if (!facts) return facts;
    if (facts->common_name != expect.gateway_id) {
        return refuse(reason::wrong_cn, "the certificate names \"" + facts->subject +
                                            "\", not CN=" + expect.gateway_id);
    }
    if (expect.key == nullptr || EVP_PKEY_eq(X509_get0_pubkey(leaf), expect.key) != 1) {
        return refuse(reason::key_mismatch,
                      "the certificate is not for the key this gateway generated");
    }
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(expect.now.time_since_epoch())
            .count();
    if (now_ms < facts->not_before_ms)
        return refuse(reason::not_yet_valid, "the certificate is not valid yet (notBefore)");
    if (now_ms >= facts->not_after_ms)
        return refuse(reason::expired, "the certificate has expired (notAfter)");
    if (auto v = verify_chain(*chain, expect.ca_file, expect.now); !v)
        return std::unexpected(v.error());
    if (expect.must_outlast_ms && facts->not_after_ms < *expect.must_outlast_ms) {
        return refuse(reason::shorter_validity,
                      "the certificate expires before the identity it would replace");
    }
    return facts;
}

}  // namespace lintel::identity
