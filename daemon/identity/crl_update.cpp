// OpenSSL adapter behind crl_update.hpp: CRL parsing, signature against the pinned CA, ordering.
#include "identity/crl_update.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <vector>

#include "commands/key_files.hpp"
#include "commands/openssl_support.hpp"
#include "identity/reason_codes.hpp"

namespace lintel::identity {

namespace ossl = commands::ossl;

namespace {

using CrlPtr = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL, X509_CRL_free>>;
using IntPtr = std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
constexpr std::size_t k_max_crl_bytes = 1024 * 1024;

std::unexpected<Error> refuse(std::string_view code, std::string message) {
    ERR_clear_error();
    return std::unexpected(Error{std::string(code), std::move(message)});
}

std::optional<std::int64_t> time_ms(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::vector<CrlPtr> read_crls(std::string_view pem) {
    std::vector<CrlPtr> out;
    auto bio = ossl::memory_bio(pem);
    if (!bio) return out;
    while (CrlPtr crl{PEM_read_bio_X509_CRL(bio->get(), nullptr, nullptr, nullptr)})
        out.push_back(std::move(crl));
    ERR_clear_error();
    return out;
}

IntPtr crl_number(X509_CRL* crl) {
    return IntPtr(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
}

std::string hex_of(const ASN1_INTEGER* n) {
    std::string out;
    BIGNUM* bn = ASN1_INTEGER_to_BN(n, nullptr);
    if (bn == nullptr) return out;
    char* hex = BN_bn2hex(bn);
    if (hex != nullptr) out = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

}  // namespace

Expected<CrlFacts> check_crl_update(std::string_view pem, const std::filesystem::path& ca_file,
                                    std::optional<std::string_view> current_pem,
                                    std::chrono::system_clock::time_point now) {
    constexpr std::string_view marker = "-----BEGIN X509 CRL-----";
    if (pem.size() > k_max_crl_bytes) return refuse(reason::crl_invalid, "the CRL exceeds 1 MiB");
    auto crls = read_crls(pem);
    if (crls.size() != 1 || pem.find(marker) != pem.rfind(marker))
        return refuse(reason::crl_invalid, "the argument must be exactly one PEM X509 CRL");
    X509_CRL* crl = crls.front().get();
    CrlFacts facts;
    facts.issuer = ossl::name_text(X509_CRL_get_issuer(crl));
    auto this_update = time_ms(X509_CRL_get0_lastUpdate(crl));
    if (!this_update) return refuse(reason::crl_invalid, "the CRL has no readable thisUpdate");
    facts.this_update_ms = *this_update;
    if (X509_CRL_get0_nextUpdate(crl) != nullptr) {
        facts.next_update_ms = time_ms(X509_CRL_get0_nextUpdate(crl));
        if (!facts.next_update_ms)
            return refuse(reason::crl_invalid, "the CRL has an unreadable nextUpdate");
    }
    if (IntPtr n = crl_number(crl)) facts.number = hex_of(n.get());
    const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
    facts.revoked = revoked == nullptr ? 0 : sk_X509_REVOKED_num(revoked);

    auto ca_text = commands::read_public_file(ca_file, "CA file");
    if (!ca_text) return refuse(reason::crl_untrusted, ca_text.error().message);
    bool signed_by_ca = false;
    auto bio = ossl::memory_bio(*ca_text);
    if (!bio) return std::unexpected(bio.error());
    while (ossl::X509Ptr ca{PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr)}) {
        if (X509_NAME_cmp(X509_get_subject_name(ca.get()), X509_CRL_get_issuer(crl)) != 0) continue;
        if (X509_CRL_verify(crl, X509_get0_pubkey(ca.get())) == 1) {
            signed_by_ca = true;
            break;
        }
    }
    if (!signed_by_ca) {
        return refuse(reason::crl_untrusted, "the CRL of \"" + facts.issuer +
                                                 "\" is not signed by a CA in " + ca_file.string());
    }
    const std::int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (facts.this_update_ms > now_ms)
        return refuse(reason::crl_not_yet_valid, "the CRL's thisUpdate is in the future");
    if (facts.next_update_ms && *facts.next_update_ms <= now_ms)
        return refuse(reason::crl_expired, "the CRL's nextUpdate has passed");

    if (current_pem) {
        for (const auto& old : read_crls(*current_pem)) {
            if (X509_NAME_cmp(X509_CRL_get_issuer(old.get()), X509_CRL_get_issuer(crl)) != 0)
                continue;
            IntPtr old_number = crl_number(old.get());
            IntPtr new_number = crl_number(crl);
            if (old_number && new_number) {
                if (ASN1_INTEGER_cmp(new_number.get(), old_number.get()) < 0) {
                    return refuse(reason::crl_older,
                                  "the CRL's number " + hex_of(new_number.get()) +
                                      " is lower than the current " + hex_of(old_number.get()));
                }
            } else if (auto old_this = time_ms(X509_CRL_get0_lastUpdate(old.get()));
                       old_this && facts.this_update_ms < *old_this) {
                return refuse(reason::crl_older,
                              "the CRL's thisUpdate is earlier than the current CRL's");
            }
        }
    }
    ERR_clear_error();
    return facts;
}

}  // namespace lintel::identity
