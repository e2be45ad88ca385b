// Test PKI and bundles for the credentials tests (see the header).
#include "credentials_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace lintel::credentials::test {
namespace {

template <typename T>
T must(Expected<T> value, std::string_view what) {
    if (!value) {
        ADD_FAILURE() << what << ": " << value.error().message;
        std::abort();
    }
    return std::move(*value);
}

Secret secret_of(const std::filesystem::path& path) { return Secret(text_of(path)); }

}  // namespace

const TestPki& TestPki::get() {
    static lintel::test::TempDir dir("lintel-cred-pki");
    static const TestPki pki = [] {
        TestPki p;
        p.dir = dir.path();
        p.pki = must(lintel::test::Pki::generate(dir / "pki", std::string(k_gateway_id)), "PKI");
        p.rsa_gateway =
            must(commands::test::make_self_signed(dir.path(), "gw-rsa", "rsa2048", "gw-rsa-001"),
                 "RSA gateway");
        p.lookalike_gateway =
            must(commands::test::make_self_signed(dir.path(), "gw-lookalike", "p256", k_gateway_id),
                 "look-alike gateway");
        p.rsa_client = must(
            commands::test::make_self_signed(dir.path(), "client-rsa", "rsa2048", "client-rsa"),
            "RSA client");
        return p;
    }();
    return pki;
}

std::string text_of(const std::filesystem::path& path) {
    auto text = lintel::test::read_file(path);
    if (!text) {
        ADD_FAILURE() << text.error().message;
        return {};
    }
    return *text;
}

DeviceIdentity gateway_identity() {
    const auto& p = TestPki::get().pki;
    return must(DeviceIdentity::from_files(p.gateway.cert, p.gateway.key), "gateway identity");
}

DeviceIdentity rsa_gateway_identity() {
    const auto& p = TestPki::get();
    return must(DeviceIdentity::from_files(p.rsa_gateway.cert, p.rsa_gateway.key), "RSA gateway");
}

DeviceIdentity lookalike_identity() {
    const auto& p = TestPki::get();
    return must(DeviceIdentity::from_files(p.lookalike_gateway.cert, p.lookalike_gateway.key),
                "look-alike gateway");
}

Bundle eap_tls_bundle(std::string_view gateway) {
    const auto& p = TestPki::get().pki;
    Bundle b;
    b.id = "cred-tls-1";
    b.gateway = std::string(gateway);
    b.issued_at_ms = k_issued_at;
    b.type = BundleType::eap_tls;
    b.interface = Interface::wired;
    b.identity = "observer@corp.example";
    b.ca_cert = text_of(p.ca_cert);
    b.client_cert = text_of(p.observer.cert);
    b.client_key = secret_of(p.observer.key);
    return b;
}

Bundle peap_bundle(std::string_view gateway) {
    Bundle b;
    b.id = "cred-peap-1";
    b.gateway = std::string(gateway);
    b.issued_at_ms = k_issued_at;
    b.expires_at_ms = k_issued_at + 3'600'000;
    b.type = BundleType::peap;
    b.interface = Interface::wired;
    b.identity = "gw-cred-001@corp.example";
    b.anonymous_identity = "anonymous@corp.example";
    b.ca_cert = text_of(TestPki::get().pki.ca_cert);
    b.server_domain = "radius.corp.example";
    b.password = Secret(k_password);
    b.phase2 = "mschapv2";
    return b;
}

Bundle ttls_wifi_bundle(std::string_view gateway) {
    Bundle b = peap_bundle(gateway);
    b.id = "cred-ttls-1";
    b.type = BundleType::ttls;
    b.interface = Interface::wifi;
    b.phase2 = "pap";
    b.ssid = "Corp WLAN";
    b.key_mgmt = {"WPA-EAP", "WPA-EAP-SHA256"};
    return b;
}

Bundle wifi_psk_bundle(std::string_view gateway) {
    Bundle b;
    b.id = "cred-psk-1";
    b.gateway = std::string(gateway);
    b.issued_at_ms = k_issued_at;
    b.type = BundleType::wifi_psk;
    b.interface = Interface::wifi;
    b.ssid = "Plant Floor";
    b.psk = Secret(k_psk);
    b.key_mgmt = {"WPA-PSK"};
    return b;
}

}  // namespace lintel::credentials::test
