// lintel-sign credentials: builds a credential bundle (docs/credentials.md) for one gateway and
// encrypts it to that gateway's certificate. Secrets (client key, password, PSK) are read from
// files or stdin, never taken from the command line, which every local user can read in ps.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::sign {

struct CredentialsOptions {
    std::filesystem::path cert;                    // the gateway's certificate (the recipient)
    std::optional<std::filesystem::path> cert_ca;  // when set: cert must chain to it
    std::optional<std::string> gateway;            // default: the certificate's CN
    std::string type;                              // eap-tls, peap, ttls, wifi-psk
    std::optional<std::string> interface;          // default: wifi for wifi-psk, else wired
    std::optional<std::string> id;                 // default: cred-<64 random bits in hex>
    std::optional<std::int64_t> issued_at_ms;      // default: now
    std::optional<std::string> expires_in;         // "30d"; default: never expires
    std::optional<std::string> identity;
    std::optional<std::string> anonymous_identity;
    std::optional<std::filesystem::path> ca;  // the RADIUS server's CA (PEM)
    std::optional<std::string> server_domain;
    std::optional<std::filesystem::path> client_cert;  // PEM, the client certificate first
    std::optional<std::string> client_key;             // PATH (mode 0600) or "-" for stdin
    std::optional<std::string> password_file;          // PATH (mode 0600) or "-"
    std::optional<std::string> phase2;
    std::optional<std::string> ssid;
    std::optional<std::string> psk_file;  // PATH (mode 0600) or "-"
    std::vector<std::string> key_mgmt;
    std::optional<std::filesystem::path> out;  // default: the envelope on stdout
};

// The envelope (base64 of the CMS DER) plus "\n", or with `out` a one-line summary after writing
// it there (a new file, mode 0600; an existing one is never overwritten). Bundle and usage
// mistakes have code sign.usage; certificate and key-file problems keep their own codes.
Expected<std::string> sign_credentials(const CredentialsOptions& options,
                                       std::chrono::system_clock::time_point now,
                                       std::istream& stdin_stream);

}  // namespace lintel::sign
