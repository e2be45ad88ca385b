// PEM certificates and private keys inside a credential bundle: strict splitting into blocks,
// parsing, what may be shown about a certificate, and whether a client key fits its certificate.
// OpenSSL stays in pem.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "credentials/secret.hpp"
#include "lintel/error.hpp"

namespace lintel::credentials {

// What lintelctl may show about a certificate.
struct CertInfo {
    std::string subject;  // OpenSSL's one-line form, "CN = gw-001, O = Example"
    std::string issuer;
    std::int64_t not_before_ms = 0;  // Unix ms
    std::int64_t not_after_ms = 0;
    std::string sha256;  // lower-case hex of the DER certificate
    bool operator==(const CertInfo&) const = default;
};

// The certificates of `pem`: 1..max_certs "CERTIFICATE" blocks with nothing but whitespace
// around and between them, each a certificate OpenSSL parses. Errors (cred.malformed) say what is
// wrong, without a field path (the caller adds it).
Expected<std::vector<CertInfo>> read_certificates(std::string_view pem, std::size_t max_certs);

// Checks an EAP-TLS client key: exactly one unencrypted PEM private key block ("PRIVATE KEY",
// "EC PRIVATE KEY" or "RSA PRIVATE KEY"), an RSA key of at least 2048 bits or an EC key on
// P-256/P-384/P-521, and the public half of the first certificate in `cert_pem`. Messages never
// quote the key.
Expected<void> check_client_key(const Secret& key_pem, std::string_view cert_pem);

}  // namespace lintel::credentials
