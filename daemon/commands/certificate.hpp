// X.509 certificates of gateways, for verifying signed results: the key, the CN (= the
// gateway id = the result's kid) and an optional check against a CA.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::commands {

class Certificate {
public:
    // The first certificate of a PEM file or text. Its key must be one lintel supports.
    static Expected<Certificate> from_file(const std::filesystem::path& path);
    static Expected<Certificate> from_pem(std::string_view pem);

    const PublicKey& public_key() const { return public_key_; }
    // The subject's single commonName as UTF-8; an error when there is none, more than one,
    // or one with an embedded NUL.
    Expected<std::string> common_name() const;
    // The subject in OpenSSL's one-line form, for messages.
    std::string subject() const;
    // End of the validity period (for the status message's days-to-expiry).
    Expected<std::chrono::system_clock::time_point> not_after() const;

    // Checks that the certificate chains to a CA in `ca_file` (PEM, one or more certificates)
    // and that every certificate on the chain is valid at `at`. commands.cert_untrusted says why
    // not ("certificate has expired", "unable to get local issuer certificate", ...).
    Expected<void> verify_chain(
        const std::filesystem::path& ca_file,
        std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) const;

    struct Impl;

private:
    Certificate(std::shared_ptr<const Impl> impl, PublicKey key)
        : impl_(std::move(impl)), public_key_(std::move(key)) {}
    std::shared_ptr<const Impl> impl_;
    PublicKey public_key_;
};

}  // namespace lintel::commands
