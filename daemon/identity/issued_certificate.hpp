// The checks an issued uplink certificate must pass before the gateway switches to it, and what
// is shown about one (serial, validity). OpenSSL stays in issued_certificate.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "identity/key_source.hpp"
#include "lintel/error.hpp"

namespace lintel::identity {

struct CertificateFacts {
    std::string serial;   // upper-case hex, as `openssl x509 -serial` prints it
    std::string subject;  // OpenSSL's one-line form
    std::string common_name;
    std::int64_t not_before_ms = 0;
    std::int64_t not_after_ms = 0;
};

// The leaf (first) certificate of a PEM text; cert.bad_certificate when there is none or it
// does not parse (the CN is "" when the subject has none or more than one).
Expected<CertificateFacts> certificate_facts(std::string_view pem);
Expected<CertificateFacts> certificate_facts_of_file(const std::filesystem::path& path);

struct IssueExpectations {
    std::filesystem::path ca_file;  // the pinned CA that issues gateway certificates
    std::string gateway_id;         // the CN it must carry
    EVP_PKEY* key = nullptr;        // the key the CSR was made with
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    // The identity being replaced expires then: the new one must not expire sooner.
    std::optional<std::int64_t> must_outlast_ms;
};

// Refuses with the first failed check, in this order: cert.bad_certificate (not one PEM
// certificate, optionally followed by intermediates), cert.wrong_cn, cert.key_mismatch,
// cert.not_yet_valid, cert.expired, cert.untrusted (does not chain to ca_file for TLS client
// use), cert.shorter_validity.
Expected<CertificateFacts> check_issued_certificate(std::string_view pem,
                                                    const IssueExpectations& expect);

}  // namespace lintel::identity
