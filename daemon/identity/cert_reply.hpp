// The CSR message the gateway publishes on {prefix}/{gateway_id}/csr and the signer's reply on
// {prefix}/{gateway_id}/certificate (docs/certificates.md). Pure JSON: no OpenSSL, no asio.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::identity {

inline constexpr std::size_t k_max_reply_bytes = 32 * 1024;
inline constexpr std::size_t k_max_certificate_bytes = 16 * 1024;

// Why the gateway asks: "renewal" (timer), "command" (renew-certificate), "provisioning"
// (connected with the claim certificate).
struct CsrRequest {
    std::string request_id;  // 32 lower-case hex characters, fresh per attempt
    std::string gateway;
    std::string csr_pem;
    std::string reason;
};
// {"request_id":..,"gateway":..,"reason":..,"csr":"-----BEGIN CERTIFICATE REQUEST-----..."}
std::string csr_request_json(const CsrRequest& request);

// Either a certificate chain (PEM, leaf first) or the signer's refusal text.
struct CertReply {
    std::string request_id;
    std::optional<std::string> certificate_pem;
    std::optional<std::string> error;
};

// Strict: one JSON object of at most k_max_reply_bytes with exactly "request_id" (1..64 of
// [0-9a-f]) and one of "certificate" (a string of at most k_max_certificate_bytes) or "error"
// (at most 512 bytes); duplicate or unknown keys refused. Errors: cert.bad_reply.
Expected<CertReply> parse_cert_reply(std::string_view payload);

}  // namespace lintel::identity
