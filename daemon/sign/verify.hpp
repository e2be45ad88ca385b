// lintel-sign verify-result and verify-command: check a JWS and print its payload.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "commands/jws.hpp"
#include "lintel/error.hpp"

namespace lintel::sign {

// Results carry command output, so their default bound is larger than a command's.
inline constexpr std::size_t k_default_result_max_bytes = 1024 * 1024;

struct VerifyResultOptions {
    std::filesystem::path cert;               // the gateway's certificate (PEM)
    std::optional<std::filesystem::path> ca;  // check the certificate against this CA
    std::optional<std::filesystem::path> in;  // default: stdin
    std::size_t max_bytes = k_default_result_max_bytes;
};

// Checks: the certificate (and with ca: that it chains to the CA and is valid now); the JWS
// (typ lintel-result+jws); kid == the certificate's CN; the signature with the certificate's
// key; the payload's schema and its gateway == the CN. Returns the payload, pretty-printed.
Expected<std::string> verify_result(const VerifyResultOptions& options);

struct VerifyCommandOptions {
    std::filesystem::path pub;                // a signer's public key (PEM)
    std::optional<std::filesystem::path> in;  // default: stdin
    std::size_t max_bytes = commands::k_default_max_bytes;
};

// Checks the JWS (typ lintel-cmd+jws), the signature with `pub` and the payload's schema (not
// time, gateway or policy: that is the gateway's call). Returns the payload, pretty-printed.
Expected<std::string> verify_command(const VerifyCommandOptions& options);

struct VerifyManifestOptions {
    std::filesystem::path pub;                // a release public key (PEM)
    std::optional<std::filesystem::path> in;  // default: stdin
};

// Checks what a gateway's verify_manifest checks with `pub` as the only release key (under the
// JWS's kid): typ lintel-manifest+jws, signature, payload schema, expiry against the clock. Not
// target, versions or policy: that is each gateway's call. Returns the payload, pretty-printed.
Expected<std::string> verify_manifest(const VerifyManifestOptions& options);

}  // namespace lintel::sign
