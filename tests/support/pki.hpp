// Test support: the test PKI (good, revoked, expired and rogue certificates), made by gen_pki.sh.
#pragma once

#include <filesystem>
#include <string>

#include "lintel/error.hpp"

namespace lintel::test {

struct CertKey {
    std::filesystem::path cert;
    std::filesystem::path key;
};

// Paths of everything gen_pki.sh writes (see the script's header for what each one is).
struct Pki {
    std::filesystem::path dir;
    std::string gateway_id;
    std::filesystem::path ca_cert;
    std::filesystem::path ca_key;
    std::filesystem::path ca_crl;  // lists gw-revoked and dot1x-revoked; valid 30 days
    CertKey server;                // CN=localhost, SAN DNS:localhost, IP:127.0.0.1
    CertKey gateway;               // CN=gateway_id
    CertKey observer;              // CN=observer
    CertKey revoked;               // CN=gw-revoked
    CertKey expired;               // CN=gw-expired
    CertKey wrong_name;            // server cert from the CA for wrong.example only
    CertKey rogue_ca;              // an unrelated CA
    CertKey rogue_client;          // CN=gw-rogue, signed by rogue_ca
    CertKey rogue_server;          // CN=localhost, signed by rogue_ca
    // 802.1X (dot1x_rig.hpp), from the same CA:
    CertKey radius;         // CN=radius.lintel.test, SAN DNS:radius.lintel.test (EAP-TLS server)
    CertKey dot1x_a;        // CN=dot1x-a (a supplicant)
    CertKey dot1x_b;        // CN=dot1x-b (a second identity)
    CertKey dot1x_revoked;  // CN=dot1x-revoked, listed in ca_crl

    // Runs gen_pki.sh (openssl CLI) into `dir`; idempotent for the same gateway id.
    static Expected<Pki> generate(const std::filesystem::path& dir, const std::string& gateway_id);
    // The paths only, no files written.
    static Pki layout(const std::filesystem::path& dir, const std::string& gateway_id);
};

// Where gen_pki.sh lives (compiled in from the source tree).
std::filesystem::path gen_pki_script();

}  // namespace lintel::test
