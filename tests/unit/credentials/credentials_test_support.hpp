// Test support for credentials: one test PKI per test binary (the shared CA's gateway, client
// and expired certificates, plus RSA and look-alike gateway certificates from the openssl CLI),
// valid bundles of every type, and the device identities that open them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "commands_test_support.hpp"
#include "credentials/bundle.hpp"
#include "credentials/device_identity.hpp"
#include "support/files.hpp"
#include "support/pki.hpp"

namespace lintel::credentials::test {

inline constexpr std::string_view k_gateway_id = "gw-cred-001";
// 2023-11-14T22:13:20Z: after the test certificates' notBefore is not needed (the gateway does
// not check it); what matters is that it is before every notAfter.
inline constexpr std::int64_t k_issued_at = 1'700'000'000'000;

struct TestPki {
    std::filesystem::path dir;
    lintel::test::Pki pki;                        // P-256, gateway CN = k_gateway_id
    commands::test::CertFiles rsa_gateway;        // RSA 2048, CN = gw-rsa-001, self-signed
    commands::test::CertFiles lookalike_gateway;  // P-256, CN = k_gateway_id, another key
    commands::test::CertFiles rsa_client;         // RSA 2048 EAP-TLS client, CN = client-rsa

    // Generated on first use, removed when the test binary exits.
    static const TestPki& get();
};

// The text of a file, or a test failure and "".
std::string text_of(const std::filesystem::path& path);

// The identity of the P-256 test gateway (or the RSA one, or the look-alike).
DeviceIdentity gateway_identity();
DeviceIdentity rsa_gateway_identity();
DeviceIdentity lookalike_identity();

// Valid bundles for `gateway`, issued at k_issued_at.
Bundle eap_tls_bundle(std::string_view gateway = k_gateway_id);  // client = the PKI's observer
Bundle peap_bundle(std::string_view gateway = k_gateway_id);
Bundle ttls_wifi_bundle(std::string_view gateway = k_gateway_id);
Bundle wifi_psk_bundle(std::string_view gateway = k_gateway_id);

// The secret strings the bundles above carry, for "never in a message" checks.
inline constexpr std::string_view k_password = "corr3ct-h0rse-battery";
inline constexpr std::string_view k_psk = "wifi-passphrase-4711";

}  // namespace lintel::credentials::test
