// set-crl: the checks a new CRL for the broker's CA must pass before the uplink uses it.
// OpenSSL stays in crl_update.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::identity {

struct CrlFacts {
    std::string issuer;                 // OpenSSL's one-line form
    std::optional<std::string> number;  // crlNumber, upper-case hex
    std::int64_t this_update_ms = 0;
    std::optional<std::int64_t> next_update_ms;
    int revoked = 0;  // entries listed
};

// Refuses with the first failed check: cert.crl_invalid (not exactly one PEM X509 CRL of at most
// 1 MiB), cert.crl_untrusted (no CA in `ca_file` with its issuer name, or a bad signature),
// cert.crl_not_yet_valid (thisUpdate in the future), cert.crl_expired (nextUpdate passed),
// cert.crl_older (its crlNumber is lower than the current CRL's of the same issuer, or, without
// numbers on both, its thisUpdate is earlier). `current_pem`: the CRL(s) in use, if any.
Expected<CrlFacts> check_crl_update(std::string_view pem, const std::filesystem::path& ca_file,
                                    std::optional<std::string_view> current_pem,
                                    std::chrono::system_clock::time_point now);

}  // namespace lintel::identity
