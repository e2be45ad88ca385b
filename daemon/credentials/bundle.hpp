// The credential bundle: what the cloud sends a gateway (encrypted, see envelope.hpp) to join an
// 802.1X port or a Wi-Fi network. Parsed strictly into typed fields, built and serialized for
// lintel-sign, checked against the gateway and the clock, and reduced to the metadata lintelctl
// may show. The format is documented in docs/credentials.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "credentials/pem.hpp"
#include "credentials/secret.hpp"
#include "lintel/error.hpp"

namespace lintel::credentials {

inline constexpr int k_bundle_format = 1;  // the bundle's "v"
// Bounds: the whole JSON text, one PEM field, the certificates in one PEM field, and the text
// fields (an NAI is at most 253 bytes, RFC 7542; real identities and passwords are far shorter,
// and every value must still fit a wpa_supplicant configuration line once escaped).
inline constexpr std::size_t k_max_bundle_bytes = 64 * 1024;
inline constexpr std::size_t k_max_pem_bytes = 24 * 1024;
inline constexpr std::size_t k_max_pem_certs = 8;
inline constexpr std::size_t k_max_identity_bytes = 128;
inline constexpr std::size_t k_max_password_bytes = 128;
inline constexpr std::size_t k_max_ssid_bytes = 32;

// eap-tls, peap and ttls are 802.1X methods, on a wired port or (with an SSID: WPA-Enterprise) on
// Wi-Fi; wifi-psk is WPA-Personal. The JSON names are "eap-tls", "peap", "ttls", "wifi-psk".
enum class BundleType { eap_tls, peap, ttls, wifi_psk };
enum class Interface { wired, wifi };  // "wired", "wifi"

std::string_view to_string(BundleType type);
std::string_view to_string(Interface kind);
std::optional<BundleType> parse_bundle_type(std::string_view name);
std::optional<Interface> parse_interface(std::string_view name);

struct Bundle {
    std::string id;       // bundle id: 1-64 of A-Z a-z 0-9 . _ -
    std::string gateway;  // the recipient gateway's id (its certificate CN)
    std::int64_t issued_at_ms = 0;
    std::optional<std::int64_t> expires_at_ms;  // > issued_at_ms
    BundleType type = BundleType::eap_tls;
    Interface interface = Interface::wired;

    // 802.1X (eap-tls, peap, ttls).
    std::string identity;                           // EAP identity
    std::optional<std::string> anonymous_identity;  // outer identity
    std::string ca_cert;                            // PEM: the CA(s) the RADIUS server chains to
    std::optional<std::string> server_domain;       // the server certificate's DNS name (suffix)
    std::string client_cert;  // eap-tls: PEM, the client certificate first, then intermediates
    Secret client_key;        // eap-tls: unencrypted PEM, matches client_cert
    Secret password;          // peap, ttls
    std::string phase2;       // peap: mschapv2|gtc; ttls: pap|chap|mschap|mschapv2|eap-mschapv2|...

    // Wi-Fi (interface wifi).
    std::string ssid;                   // 1-32 bytes of UTF-8 without control characters
    Secret psk;                         // wifi-psk: 8-63 printable ASCII, or 64 hex digits
    std::vector<std::string> key_mgmt;  // wpa_supplicant names; defaulted by the parser

    bool operator==(const Bundle&) const = default;
};

// The bundle's JSON text (UTF-8, the decrypted envelope). Errors: cred.too_large beyond
// k_max_bundle_bytes; otherwise cred.malformed naming the field: "client_key: does not belong to
// the client certificate". Rules: a JSON object, no duplicate or unknown keys, only the keys of
// its type, every required key present, PEMs that parse, an EAP-TLS key that matches its
// certificate. No message ever quotes a password, PSK or key.
Expected<Bundle> parse_bundle(std::string_view text);

// The JSON text of `bundle` (compact, keys sorted), in wiped memory. Refuses (cred.malformed)
// whatever parse_bundle would refuse, with the same message, so what it returns a gateway takes.
Expected<Secret> bundle_json(const Bundle& bundle);

// The checks that need the gateway and the clock, in this order: the bundle names this gateway
// (cred.wrong_gateway), has not expired (cred.expired), and an EAP-TLS client certificate is not
// past its notAfter (cred.cert_expired). The gateway's clock decides.
Expected<void> check_bundle(const Bundle& bundle, std::string_view gateway_id, std::int64_t now_ms);

// What may be shown about a bundle (lintelctl, status, logs): never a secret.
struct BundleMetadata {
    std::string id;
    std::string gateway;
    BundleType type = BundleType::eap_tls;
    Interface interface = Interface::wired;
    std::int64_t issued_at_ms = 0;
    std::optional<std::int64_t> expires_at_ms;
    std::optional<std::string> identity;
    std::optional<std::string> anonymous_identity;
    std::optional<std::string> server_domain;
    std::optional<std::string> phase2;
    std::optional<std::string> ssid;
    std::vector<std::string> key_mgmt;
    std::optional<CertInfo> client_cert;  // the client certificate (eap-tls)
    std::vector<CertInfo> ca_certs;
    bool operator==(const BundleMetadata&) const = default;
};

BundleMetadata metadata(const Bundle& bundle);
// {"id":..., "type":..., "client_cert":{"subject":...,"not_after":<ms>}, ...}; absent fields left
// out.
nlohmann::json to_json(const BundleMetadata& meta);

// Field rules, shared with lintel-sign's option checks.
bool is_valid_psk(std::string_view psk);  // 8-63 of 0x20-0x7e, or 64 hex digits
bool is_dns_name(std::string_view name);  // LDH labels of 1-63, 1-253 in all
std::optional<std::string> text_problem(std::string_view text, std::size_t max_bytes);

}  // namespace lintel::credentials
