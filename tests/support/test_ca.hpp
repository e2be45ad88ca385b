// Test support: the "cloud" side of certificate issuing, through OpenSSL: signs a gateway's CSR
// with the test CA (or misbehaves on purpose) and issues CRLs, for the identity lifecycle tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::test {

enum class SignerFault {
    none,
    wrong_cn,   // CN=someone-else instead of the CSR's
    other_key,  // a fresh key's public half instead of the CSR's
    other_ca,   // signed by another CA (the CA pair given as `rogue_*`)
    expired,    // valid from 2 days ago until 1 day ago
    no_answer,  // sign_csr returns an empty string: the signer stays silent
};

struct SignerCa {
    std::filesystem::path cert;  // PEM CA certificate
    std::filesystem::path key;   // its PEM key
};

struct SignOptions {
    SignerFault fault = SignerFault::none;
    std::chrono::hours validity{24 * 90};
    std::optional<SignerCa> rogue;          // required for other_ca
    std::optional<std::string> serial_hex;  // default: 64 random bits
};

// A clientAuth leaf certificate for the CSR's subject and key (PEM), with a random serial.
Expected<std::string> sign_csr(const SignerCa& ca, std::string_view csr_pem,
                               const SignOptions& options = {});

struct CrlOptions {
    std::uint64_t number = 1;
    std::chrono::system_clock::time_point this_update = std::chrono::system_clock::now();
    std::chrono::system_clock::time_point next_update =
        std::chrono::system_clock::now() + std::chrono::hours(24 * 30);
    std::optional<std::string> revoked_serial_hex;  // e.g. "1A2B"
};

// A PEM X509 CRL signed by `ca`.
Expected<std::string> make_crl(const SignerCa& ca, const CrlOptions& options);

// The serial of a PEM certificate in upper-case hex.
Expected<std::string> certificate_serial(std::string_view pem);

}  // namespace lintel::test
