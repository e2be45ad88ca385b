// Strict parsing and building of credential bundles (see bundle.hpp, docs/credentials.md).
#include "credentials/bundle.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <set>

#include "commands/strict_json.hpp"
#include "common/utf8.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {
namespace {

using commands::printable;

std::unexpected<Error> refuse(std::string_view path, std::string_view what) {
    return make_error(std::string(reason::malformed), std::string(path) + ": " + std::string(what));
}

std::string got(const SecretJson& value) { return ", got " + std::string(value.type_name()); }

// Keys by the bundles that use them.
constexpr std::array<std::string_view, 7> k_common_keys{
    "v", "id", "gateway", "issued_at", "type", "interface", "expires_at"};
constexpr std::array<std::string_view, 4> k_eap_keys{"identity", "anonymous_identity", "ca_cert",
                                                     "server_domain"};
constexpr std::array<std::string_view, 2> k_tls_keys{"client_cert", "client_key"};
constexpr std::array<std::string_view, 2> k_password_keys{"password", "phase2"};
constexpr std::array<std::string_view, 2> k_wifi_keys{"ssid", "key_mgmt"};
constexpr std::array<std::string_view, 1> k_psk_keys{"psk"};

constexpr std::array<std::string_view, 2> k_peap_phase2{"mschapv2", "gtc"};
constexpr std::array<std::string_view, 6> k_ttls_phase2{"pap",      "chap",         "mschap",
                                                        "mschapv2", "eap-mschapv2", "eap-gtc"};
constexpr std::array<std::string_view, 3> k_psk_key_mgmt{"WPA-PSK", "WPA-PSK-SHA256", "SAE"};
constexpr std::array<std::string_view, 2> k_eap_key_mgmt{"WPA-EAP", "WPA-EAP-SHA256"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view key) {
    return std::find(names.begin(), names.end(), key) != names.end();
}

bool is_eap(BundleType type) { return type != BundleType::wifi_psk; }

bool key_known(std::string_view key) {
    return contains(k_common_keys, key) || contains(k_eap_keys, key) || contains(k_tls_keys, key) ||
           contains(k_password_keys, key) || contains(k_wifi_keys, key) ||
           contains(k_psk_keys, key);
}

bool key_allowed(std::string_view key, BundleType type, Interface kind) {
    if (contains(k_common_keys, key)) return true;
    if (contains(k_wifi_keys, key)) return kind == Interface::wifi;
    if (contains(k_psk_keys, key)) return type == BundleType::wifi_psk;
    if (contains(k_eap_keys, key)) return is_eap(type);
    if (contains(k_tls_keys, key)) return type == BundleType::eap_tls;
    if (contains(k_password_keys, key)) {
        return type == BundleType::peap || type == BundleType::ttls;
    }
    return false;
}

std::vector<std::string_view> required_keys(BundleType type, Interface kind) {
    std::vector<std::string_view> keys{"v", "id", "gateway", "issued_at", "type", "interface"};
    if (is_eap(type)) keys.insert(keys.end(), {"identity", "ca_cert"});
    if (type == BundleType::eap_tls) keys.insert(keys.end(), {"client_cert", "client_key"});
    if (type == BundleType::peap || type == BundleType::ttls) {
        keys.insert(keys.end(), {"password", "phase2"});
    }
    if (kind == Interface::wifi) keys.push_back("ssid");
    if (type == BundleType::wifi_psk) keys.push_back("psk");
    return keys;
}

// "an eap-tls bundle", "a peap bundle".
std::string a_bundle(BundleType type) {
    const std::string_view name = to_string(type);
    return std::string(name.front() == 'e' ? "an " : "a ") + std::string(name) + " bundle";
}

// Parses with duplicate keys refused at the top level and nothing nested below key_mgmt's list.
Expected<SecretJson> parse_json(std::string_view text) {
    if (text.size() > k_max_bundle_bytes) {
        return make_error(std::string(reason::too_large), "bundle: " + std::to_string(text.size()) +
                                                              " bytes; at most " +
                                                              std::to_string(k_max_bundle_bytes));
    }
    if (text.empty()) return refuse("bundle", "empty");
    if (text.starts_with("\xEF\xBB\xBF")) return refuse("bundle", "starts with a byte order mark");
    std::set<SecretString> keys;
    std::string error;
    auto callback = [&](int depth, SecretJson::parse_event_t event, SecretJson& parsed) {
        if (!error.empty()) return false;
        switch (event) {
            case SecretJson::parse_event_t::object_start:
            case SecretJson::parse_event_t::array_start:
                // The bundle is level 1, key_mgmt's list level 2.
                if (depth >= 2) {
                    error = "bundle: nested too deeply (only key_mgmt holds a list of strings)";
                    return false;
                }
                return true;
            case SecretJson::parse_event_t::key:
                if (depth == 1 && parsed.is_string() &&
                    !keys.insert(parsed.get_ref<const SecretString&>()).second) {
                    error = "bundle: duplicate key \"" +
                            printable(std::string_view(parsed.get_ref<const SecretString&>())) +
                            "\"";
                    return false;
                }
                return true;
            default:
                return true;
        }
    };
    try {
        SecretJson value = SecretJson::parse(text.begin(), text.end(), callback);
        if (!error.empty()) return make_error(std::string(reason::malformed), error);
        if (!value.is_object()) return refuse("bundle", "must be a JSON object" + got(value));
        return value;
    } catch (const SecretJson::parse_error& e) {
        // Not e.what(): nlohmann quotes the bytes around the error, which may be a secret.
        return refuse("bundle", "not valid JSON at byte " + std::to_string(e.byte));
    } catch (const SecretJson::exception&) {
        return refuse("bundle", "not valid JSON (a number out of range)");
    }
}

Expected<std::string> string_field(const SecretJson& value, std::string_view path) {
    if (!value.is_string()) return refuse(path, "must be a string" + got(value));
    const auto& text = value.get_ref<const SecretString&>();
    return std::string(text.data(), text.size());
}

Expected<Secret> secret_field(const SecretJson& value, std::string_view path) {
    if (!value.is_string()) return refuse(path, "must be a string" + got(value));
    const auto& text = value.get_ref<const SecretString&>();
    return Secret(std::string_view(text.data(), text.size()));
}

Expected<std::string> text_field(const SecretJson& value, std::string_view path,
                                 std::size_t max_bytes) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (auto why = text_problem(*text, max_bytes)) return refuse(path, *why);
    return text;
}

Expected<std::string> identifier_field(const SecretJson& value, std::string_view path) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (!commands::is_identifier(*text)) {
        return refuse(path, "must be " + std::string(commands::k_identifier_rule) + ", got \"" +
                                printable(*text) + "\"");
    }
    return text;
}

Expected<std::int64_t> time_field(const SecretJson& value, std::string_view path) {
    const bool ok = value.is_number_integer() &&
                    (value.is_number_unsigned()
                         ? value.get<std::uint64_t>() <=
                               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                         : value.get<std::int64_t>() >= 0);
    if (!ok) {
        return refuse(path,
                      "must be an integer >= 0 (Unix time in milliseconds)" +
                          (value.is_number() ? ", got " + printable(std::string_view(value.dump()))
                                             : got(value)));
    }
    return value.is_number_unsigned() ? static_cast<std::int64_t>(value.get<std::uint64_t>())
                                      : value.get<std::int64_t>();
}

template <std::size_t N>
Expected<std::string> choice_field(const SecretJson& value, std::string_view path,
                                   const std::array<std::string_view, N>& allowed,
                                   std::string_view context) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (!contains(allowed, *text)) {
        return refuse(path, "\"" + printable(*text) + "\" is not one of " +
                                commands::join_names(allowed) + std::string(context));
    }
    return text;
}

Expected<std::string> pem_certs_field(const SecretJson& value, std::string_view path) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (text->size() > k_max_pem_bytes) {
        return refuse(path, "holds " + std::to_string(text->size()) + " bytes; at most " +
                                std::to_string(k_max_pem_bytes));
    }
    auto certs = read_certificates(*text, k_max_pem_certs);
    if (!certs) return refuse(path, certs.error().message);
    return text;
}

// The fields of the 802.1X methods.
Expected<void> parse_eap(const SecretJson& j, Bundle& b) {
    auto identity = text_field(j.at("identity"), "identity", k_max_identity_bytes);
    if (!identity) return std::unexpected(identity.error());
    b.identity = std::move(*identity);
    if (auto it = j.find("anonymous_identity"); it != j.end()) {
        auto anonymous = text_field(*it, "anonymous_identity", k_max_identity_bytes);
        if (!anonymous) return std::unexpected(anonymous.error());
        b.anonymous_identity = std::move(*anonymous);
    }
    auto ca = pem_certs_field(j.at("ca_cert"), "ca_cert");
    if (!ca) return std::unexpected(ca.error());
    b.ca_cert = std::move(*ca);
    if (auto it = j.find("server_domain"); it != j.end()) {
        auto domain = string_field(*it, "server_domain");
        if (!domain) return std::unexpected(domain.error());
        if (!is_dns_name(*domain)) {
            return refuse("server_domain", "must be a DNS name (labels of A-Z a-z 0-9 -), got \"" +
                                               printable(*domain) + "\"");
        }
        b.server_domain = std::move(*domain);
    }
    if (b.type == BundleType::eap_tls) {
        auto cert = pem_certs_field(j.at("client_cert"), "client_cert");
        if (!cert) return std::unexpected(cert.error());
        b.client_cert = std::move(*cert);
        auto key = secret_field(j.at("client_key"), "client_key");
        if (!key) return std::unexpected(key.error());
        if (key->size() > k_max_pem_bytes) {
            return refuse("client_key",
                          "holds more than " + std::to_string(k_max_pem_bytes) + " bytes");
        }
        if (auto match = check_client_key(*key, b.client_cert); !match) {
            return refuse("client_key", match.error().message);
        }
        b.client_key = std::move(*key);
        return {};
    }
    auto password = secret_field(j.at("password"), "password");
    if (!password) return std::unexpected(password.error());
    if (auto why = text_problem(password->reveal(), k_max_password_bytes)) {
        return refuse("password", *why);  // the rule, never the value
    }
    b.password = std::move(*password);
    auto phase2 = b.type == BundleType::peap
                      ? choice_field(j.at("phase2"), "phase2", k_peap_phase2, " (for peap)")
                      : choice_field(j.at("phase2"), "phase2", k_ttls_phase2, " (for ttls)");
    if (!phase2) return std::unexpected(phase2.error());
    b.phase2 = std::move(*phase2);
    return {};
}

template <std::size_t N>
Expected<std::vector<std::string>> key_mgmt_field(const SecretJson& value,
                                                  const std::array<std::string_view, N>& allowed,
                                                  std::string_view context) {
    if (!value.is_array()) return refuse("key_mgmt", "must be a list of strings" + got(value));
    if (value.empty() || value.size() > N) {
        return refuse("key_mgmt", "must list 1 to " + std::to_string(N) + " of " +
                                      commands::join_names(allowed));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string path = "key_mgmt[" + std::to_string(i) + "]";
        auto name = choice_field(value[i], path, allowed, context);
        if (!name) return std::unexpected(name.error());
        if (std::find(out.begin(), out.end(), *name) != out.end()) {
            return refuse(path, "duplicate \"" + *name + "\"");
        }
        out.push_back(std::move(*name));
    }
    return out;
}

Expected<void> parse_wifi(const SecretJson& j, Bundle& b) {
    auto ssid = text_field(j.at("ssid"), "ssid", k_max_ssid_bytes);
    if (!ssid) return std::unexpected(ssid.error());
    b.ssid = std::move(*ssid);
    const bool psk = b.type == BundleType::wifi_psk;
    if (auto it = j.find("key_mgmt"); it != j.end()) {
        auto list = psk ? key_mgmt_field(*it, k_psk_key_mgmt, " (for wifi-psk)")
                        : key_mgmt_field(*it, k_eap_key_mgmt, " (for 802.1X on Wi-Fi)");
        if (!list) return std::unexpected(list.error());
        b.key_mgmt = std::move(*list);
    } else {
        b.key_mgmt = {psk ? "WPA-PSK" : "WPA-EAP"};
    }
    if (!psk) return {};
    auto key = secret_field(j.at("psk"), "psk");
    if (!key) return std::unexpected(key.error());
    if (!is_valid_psk(key->reveal())) {
        return refuse("psk",
                      "must be a passphrase of 8-63 printable ASCII characters or 64 hex digits "
                      "(" +
                          std::to_string(key->size()) + " bytes given)");
    }
    const bool sae = std::find(b.key_mgmt.begin(), b.key_mgmt.end(), "SAE") != b.key_mgmt.end();
    if (sae && key->size() == 64) {
        return refuse("psk", "SAE (in key_mgmt) needs a passphrase, not a 64-hex-digit PSK");
    }
    b.psk = std::move(*key);
    return {};
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string_view to_string(BundleType type) {
    switch (type) {
        case BundleType::eap_tls:
            return "eap-tls";
        case BundleType::peap:
            return "peap";
        case BundleType::ttls:
            return "ttls";
        case BundleType::wifi_psk:
            return "wifi-psk";
    }
    return "?";
}

std::string_view to_string(Interface kind) { return kind == Interface::wired ? "wired" : "wifi"; }

std::optional<BundleType> parse_bundle_type(std::string_view name) {
    for (auto type :
         {BundleType::eap_tls, BundleType::peap, BundleType::ttls, BundleType::wifi_psk}) {
        if (to_string(type) == name) return type;
    }
    return std::nullopt;
}

std::optional<Interface> parse_interface(std::string_view name) {
    if (name == "wired") return Interface::wired;
    if (name == "wifi") return Interface::wifi;
    return std::nullopt;
}

bool is_valid_psk(std::string_view psk) {
    if (psk.size() == 64) return std::all_of(psk.begin(), psk.end(), is_hex);
    if (psk.size() < 8 || psk.size() > 63) return false;
    return std::all_of(psk.begin(), psk.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool is_dns_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = name.find('.', start);
        const std::string_view label = name.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::optional<std::string> text_problem(std::string_view text, std::size_t max_bytes) {
    if (text.empty()) return "must not be empty";
    if (text.size() > max_bytes) {
        return "must be at most " + std::to_string(max_bytes) + " bytes, got " +
               std::to_string(text.size());
    }
    if (auto bad = common::first_invalid_utf8(text)) {
        return "is not UTF-8 (byte " + std::to_string(*bad) + ")";
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            return "holds a control character at byte " + std::to_string(i);
        }
    }
    return std::nullopt;
}

Expected<Bundle> parse_bundle(std::string_view text) {
    auto parsed = parse_json(text);
    if (!parsed) return std::unexpected(parsed.error());
    const SecretJson& j = *parsed;

    // The version first: a newer format is explained by it, not by its new keys.
    auto v = j.find("v");
    if (v == j.end()) return refuse("bundle", "has no \"v\"");
    if (!v->is_number_integer() || *v != k_bundle_format) {
        return make_error(std::string(reason::unsupported),
                          "v: this gateway reads bundle format " + std::to_string(k_bundle_format) +
                              ", got " + printable(std::string_view(v->dump())));
    }
    for (const auto& [key, value] : j.items()) {
        if (!key_known(key)) {
            return refuse("bundle", "unknown key \"" + printable(std::string_view(key)) + "\"");
        }
    }
    Bundle b;
    for (std::string_view key : {"type", "interface"}) {
        if (!j.contains(key)) return refuse("bundle", "has no \"" + std::string(key) + "\"");
    }
    auto type = string_field(j.at("type"), "type");
    if (!type) return std::unexpected(type.error());
    auto parsed_type = parse_bundle_type(*type);
    if (!parsed_type) {
        return refuse("type",
                      "\"" + printable(*type) + "\" is not one of eap-tls, peap, ttls, wifi-psk");
    }
    b.type = *parsed_type;
    auto kind = string_field(j.at("interface"), "interface");
    if (!kind) return std::unexpected(kind.error());
    auto parsed_kind = parse_interface(*kind);
    if (!parsed_kind) {
        return refuse("interface", "\"" + printable(*kind) + "\" is not one of wired, wifi");
    }
    b.interface = *parsed_kind;
    if (b.type == BundleType::wifi_psk && b.interface != Interface::wifi) {
        return refuse("interface", "a wifi-psk bundle is for interface wifi");
    }
    for (const auto& [key, value] : j.items()) {
        if (!key_allowed(key, b.type, b.interface)) {
            return refuse(printable(std::string_view(key)),
                          "not used by " + a_bundle(b.type) + " on interface " +
                              std::string(to_string(b.interface)));
        }
    }
    for (auto key : required_keys(b.type, b.interface)) {
        if (!j.contains(key)) return refuse("bundle", "has no \"" + std::string(key) + "\"");
    }

    auto id = identifier_field(j.at("id"), "id");
    if (!id) return std::unexpected(id.error());
    b.id = std::move(*id);
    auto gateway = identifier_field(j.at("gateway"), "gateway");
    if (!gateway) return std::unexpected(gateway.error());
    b.gateway = std::move(*gateway);
    auto issued = time_field(j.at("issued_at"), "issued_at");
    if (!issued) return std::unexpected(issued.error());
    b.issued_at_ms = *issued;
    if (auto it = j.find("expires_at"); it != j.end()) {
        auto expires = time_field(*it, "expires_at");
        if (!expires) return std::unexpected(expires.error());
        if (*expires <= b.issued_at_ms) return refuse("expires_at", "must be after issued_at");
        b.expires_at_ms = *expires;
    }
    if (is_eap(b.type)) {
        if (auto eap = parse_eap(j, b); !eap) return std::unexpected(eap.error());
    }
    if (b.interface == Interface::wifi) {
        if (auto wifi = parse_wifi(j, b); !wifi) return std::unexpected(wifi.error());
    }
    return b;
}

Expected<Secret> bundle_json(const Bundle& b) {
    SecretJson j = SecretJson::object();
    auto put = [&](const char* key, std::string_view value) {
        if (!value.empty()) j[key] = SecretString(value.data(), value.size());
    };
    j["v"] = k_bundle_format;
    put("id", b.id);
    put("gateway", b.gateway);
    j["issued_at"] = b.issued_at_ms;
    if (b.expires_at_ms) j["expires_at"] = *b.expires_at_ms;
    put("type", to_string(b.type));
    put("interface", to_string(b.interface));
    put("identity", b.identity);
    if (b.anonymous_identity) put("anonymous_identity", *b.anonymous_identity);
    put("ca_cert", b.ca_cert);
    if (b.server_domain) put("server_domain", *b.server_domain);
    put("client_cert", b.client_cert);
    put("client_key", b.client_key.reveal());
    put("password", b.password.reveal());
    put("phase2", b.phase2);
    put("ssid", b.ssid);
    put("psk", b.psk.reveal());
    if (!b.key_mgmt.empty()) {
        SecretJson list = SecretJson::array();
        for (const auto& name : b.key_mgmt) list.push_back(SecretString(name.data(), name.size()));
        j["key_mgmt"] = std::move(list);
    }
    const SecretString text = j.dump();
    Secret out(std::string_view(text.data(), text.size()));
    if (auto check = parse_bundle(out.reveal()); !check) return std::unexpected(check.error());
    return out;
}

Expected<void> check_bundle(const Bundle& b, std::string_view gateway_id, std::int64_t now_ms) {
    if (b.gateway != gateway_id) {
        return make_error(std::string(reason::wrong_gateway),
                          "bundle " + b.id + " is for gateway \"" + b.gateway + "\", this is \"" +
                              printable(gateway_id) + "\"");
    }
    if (b.expires_at_ms && now_ms >= *b.expires_at_ms) {
        return make_error(std::string(reason::expired),
                          "bundle " + b.id + " expired at " + std::to_string(*b.expires_at_ms) +
                              " (Unix ms); now is " + std::to_string(now_ms));
    }
    if (b.type == BundleType::eap_tls) {
        auto certs = read_certificates(b.client_cert, k_max_pem_certs);
        if (!certs) return refuse("client_cert", certs.error().message);
        const CertInfo& cert = certs->front();
        if (now_ms >= cert.not_after_ms) {
            return make_error(std::string(reason::cert_expired),
                              "bundle " + b.id + ": the client certificate \"" + cert.subject +
                                  "\" expired at " + std::to_string(cert.not_after_ms) +
                                  " (Unix ms); now is " + std::to_string(now_ms));
        }
    }
    return {};
}

BundleMetadata metadata(const Bundle& b) {
    BundleMetadata m;
    m.id = b.id;
    m.gateway = b.gateway;
    m.type = b.type;
    m.interface = b.interface;
    m.issued_at_ms = b.issued_at_ms;
    m.expires_at_ms = b.expires_at_ms;
    if (!b.identity.empty()) m.identity = b.identity;
    m.anonymous_identity = b.anonymous_identity;
    m.server_domain = b.server_domain;
    if (!b.phase2.empty()) m.phase2 = b.phase2;
    if (!b.ssid.empty()) m.ssid = b.ssid;
    m.key_mgmt = b.key_mgmt;
    if (!b.client_cert.empty()) {
        if (auto certs = read_certificates(b.client_cert, k_max_pem_certs)) {
            m.client_cert = certs->front();
        }
    }
    if (!b.ca_cert.empty()) {
        if (auto certs = read_certificates(b.ca_cert, k_max_pem_certs)) m.ca_certs = *certs;
    }
    return m;
}

nlohmann::json to_json(const BundleMetadata& m) {
    auto cert_json = [](const CertInfo& c) {
        return nlohmann::json{{"subject", c.subject},
                              {"issuer", c.issuer},
                              {"not_before", c.not_before_ms},
                              {"not_after", c.not_after_ms},
                              {"sha256", c.sha256}};
    };
    nlohmann::json j{{"id", m.id},
                     {"gateway", m.gateway},
                     {"type", to_string(m.type)},
                     {"interface", to_string(m.interface)},
                     {"issued_at", m.issued_at_ms}};
    if (m.expires_at_ms) j["expires_at"] = *m.expires_at_ms;
    if (m.identity) j["identity"] = *m.identity;
    if (m.anonymous_identity) j["anonymous_identity"] = *m.anonymous_identity;
    if (m.server_domain) j["server_domain"] = *m.server_domain;
    if (m.phase2) j["phase2"] = *m.phase2;
    if (m.ssid) j["ssid"] = *m.ssid;
    if (!m.key_mgmt.empty()) j["key_mgmt"] = m.key_mgmt;
    if (m.client_cert) j["client_cert"] = cert_json(*m.client_cert);
    if (!m.ca_certs.empty()) {
        j["ca_certs"] = nlohmann::json::array();
        for (const auto& c : m.ca_certs) j["ca_certs"].push_back(cert_json(c));
    }
    return j;
}

}  // namespace lintel::credentials
