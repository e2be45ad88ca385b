// render_config (config_file.hpp): the global lines and one network block per credential type.
#include "wpa/config_file.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

std::unexpected<Error> bad_value(std::string message) {
    return make_error(std::string(reason::bad_value), std::move(message));
}

std::string hex_of(std::string_view bytes) {
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out.push_back(k_hex[c >> 4]);
        out.push_back(k_hex[c & 0x0f]);
    }
    return out;
}

// The bundle's inner method names, as wpa_supplicant's phase2 string spells them.
struct Phase2 {
    Method method;
    std::string_view name;
    std::string_view value;
};
constexpr std::array k_phase2{
    Phase2{Method::peap, "mschapv2", "auth=MSCHAPV2"},
    Phase2{Method::peap, "gtc", "auth=GTC"},
    Phase2{Method::ttls, "pap", "auth=PAP"},
    Phase2{Method::ttls, "chap", "auth=CHAP"},
    Phase2{Method::ttls, "mschap", "auth=MSCHAP"},
    Phase2{Method::ttls, "mschapv2", "auth=MSCHAPV2"},
    Phase2{Method::ttls, "eap-mschapv2", "autheap=MSCHAPV2"},
    Phase2{Method::ttls, "eap-gtc", "autheap=GTC"},
};

constexpr std::array<std::string_view, 3> k_psk_key_mgmt{"WPA-PSK", "WPA-PSK-SHA256", "SAE"};
constexpr std::array<std::string_view, 2> k_eap_key_mgmt{"WPA-EAP", "WPA-EAP-SHA256"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// A line with a value wpa_supplicant takes unquoted (a fixed keyword list, a hex PSK).
std::string raw_line(std::string_view key, std::string_view value) {
    return "\t" + std::string(key) + "=" + std::string(value) + "\n";
}

Expected<std::string> path_line(std::string_view key, const std::filesystem::path& path) {
    return config_line(key, path.string());
}

Expected<void> append(std::string& out, Expected<std::string> line) {
    if (!line) return std::unexpected(line.error());
    out += *line;
    return {};
}

Expected<std::string> key_mgmt_value(const NetworkSettings& n) {
    if (n.key_mgmt.empty()) return bad_value("key_mgmt: at least one name is needed on Wi-Fi");
    std::string joined;
    for (const auto& name : n.key_mgmt) {
        const bool known = n.method == Method::wifi_psk ? one_of(k_psk_key_mgmt, name)
                                                        : one_of(k_eap_key_mgmt, name);
        if (!known) {
            return bad_value("key_mgmt: \"" + printf_encode(name) + "\" is not allowed for " +
                             std::string(to_string(n.method)));
        }
        joined += (joined.empty() ? "" : " ") + name;
    }
    return joined;
}

Expected<void> eap_lines(std::string& out, const NetworkSettings& n,
                         const CertificatePaths& paths) {
    if (n.identity.empty()) return bad_value("identity: required for 802.1X");
    static constexpr std::array<std::string_view, 4> k_eap{"TLS", "PEAP", "TTLS", ""};
    out += raw_line("eap", k_eap[static_cast<std::size_t>(n.method)]);
    if (auto ok = append(out, config_line_or_hex("identity", n.identity)); !ok) return ok;
    if (n.anonymous_identity) {
        auto ok = append(out, config_line_or_hex("anonymous_identity", *n.anonymous_identity));
        if (!ok) return ok;
    }
    if (paths.ca_cert.empty()) return bad_value("ca_cert: a CA certificate file is required");
    if (auto ok = append(out, path_line("ca_cert", paths.ca_cert)); !ok) return ok;
    if (n.server_domain) {
        auto ok = append(out, config_line_or_hex("domain_suffix_match", *n.server_domain));
        if (!ok) return ok;
    }
    if (n.method == Method::eap_tls) {
        if (!paths.client_cert || !paths.private_key) {
            return bad_value("eap-tls needs a client certificate and a private key file");
        }
        if (auto ok = append(out, path_line("client_cert", *paths.client_cert)); !ok) return ok;
        return append(out, path_line("private_key", *paths.private_key));
    }
    const auto phase2 = std::find_if(k_phase2.begin(), k_phase2.end(), [&](const Phase2& p) {
        return p.method == n.method && p.name == n.phase2;
    });
    if (phase2 == k_phase2.end()) {
        return bad_value("phase2: \"" + printf_encode(n.phase2) + "\" is not an inner method of " +
                         std::string(to_string(n.method)));
    }
    if (n.password.empty()) return bad_value("password: required for peap and ttls");
    if (auto ok = append(out, config_line_or_hex("password", n.password)); !ok) return ok;
    return append(out, config_line("phase2", phase2->value));
}

Expected<void> psk_lines(std::string& out, const NetworkSettings& n) {
    const bool hex =
        n.psk.size() == 64 && std::all_of(n.psk.begin(), n.psk.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
    if (hex) {
        out += raw_line("psk", n.psk);  // the PSK itself, unquoted
        return {};
    }
    if (n.psk.size() < 8 || n.psk.size() > 63) {
        return bad_value("psk: a passphrase of 8-63 characters or 64 hex digits");
    }
    for (char c : n.psk) {
        // wpa_supplicant takes a passphrase up to its last '"' but strips '#' comments by counting
        // quotes: a '"' inside could cut the line. Printable ASCII otherwise (the bundle's rule).
        if (c < 0x20 || c > 0x7e || c == '"') {
            return bad_value(
                "psk: a passphrase with '\"' or a non-printable byte cannot be "
                "written to wpa_supplicant's configuration");
        }
    }
    out += raw_line("psk", "\"" + n.psk + "\"");
    return {};
}

}  // namespace

std::string_view to_string(Medium medium) { return medium == Medium::wired ? "wired" : "wifi"; }

std::string_view to_string(Method method) {
    switch (method) {
        case Method::eap_tls:
            return "eap-tls";
        case Method::peap:
            return "peap";
        case Method::ttls:
            return "ttls";
        case Method::wifi_psk:
            return "wifi-psk";
    }
    return "?";
}

std::optional<Medium> parse_medium(std::string_view text) {
    if (text == "wired") return Medium::wired;
    if (text == "wifi") return Medium::wireless;
    return std::nullopt;
}

std::optional<Method> parse_method(std::string_view text) {
    for (Method m : {Method::eap_tls, Method::peap, Method::ttls, Method::wifi_psk}) {
        if (to_string(m) == text) return m;
    }
    return std::nullopt;
}

Expected<std::string> config_line_or_hex(std::string_view key, std::string_view value) {
    auto line = config_line(key, value);
    if (line || line.error().message.find("the line would be") == std::string::npos) return line;
    // wpa_config_parse_string reads an unquoted value as hex: twice the bytes, but no escapes.
    std::string hex = "\t" + std::string(key) + "=" + hex_of(value) + "\n";
    if (hex.size() > k_max_config_line) {
        return bad_value(std::string(key) + ": " + std::to_string(value.size()) +
                         " bytes do not fit one wpa_supplicant configuration line (" +
                         std::to_string(k_max_config_line) + " bytes), quoted or in hex");
    }
    return hex;
}

Expected<std::string> render_config(const GlobalSettings& global, const NetworkSettings& n,
                                    const CertificatePaths& paths) {
    if (n.method == Method::wifi_psk && n.medium == Medium::wired) {
        return bad_value("wifi-psk is a Wi-Fi method; it cannot be used on a wired port");
    }
    const auto ctrl = global.ctrl_dir.string();
    for (std::string_view part : {std::string_view(ctrl), std::string_view(global.group)}) {
        if (part.empty() || part.find_first_of(" \t\n\"#") != std::string_view::npos) {
            return bad_value(
                "ctrl_interface: the directory and group must be non-empty and "
                "without spaces, quotes or '#'");
        }
    }
    std::string out =
        "# Written by lintel-helper for linteld (set-credentials). Do not edit:\n"
        "# the next delivery replaces it, and its previous copy restores it.\n";
    out += "ctrl_interface=DIR=" + ctrl + " GROUP=" + global.group + "\n";
    out += n.medium == Medium::wired ? "ap_scan=0\n" : "ap_scan=1\n";
    if (n.medium == Medium::wired) out += "eapol_version=2\n";
    out += "network={\n";
    if (n.medium == Medium::wireless) {
        if (n.ssid.empty() || n.ssid.size() > 32) return bad_value("ssid: 1-32 bytes on Wi-Fi");
        if (auto ok = append(out, config_line_or_hex("ssid", n.ssid)); !ok) {
            return std::unexpected(ok.error());
        }
        auto mgmt = key_mgmt_value(n);
        if (!mgmt) return std::unexpected(mgmt.error());
        out += raw_line("key_mgmt", *mgmt);
        const bool sae = std::find(n.key_mgmt.begin(), n.key_mgmt.end(), "SAE") != n.key_mgmt.end();
        // SAE needs management frame protection: required when it is the only method, optional in
        // WPA2/WPA3 transition mode.
        if (sae) out += raw_line("ieee80211w", n.key_mgmt.size() == 1 ? "2" : "1");
    } else {
        out += raw_line("key_mgmt", "IEEE8021X");
    }
    auto lines = n.method == Method::wifi_psk ? psk_lines(out, n) : eap_lines(out, n, paths);
    if (!lines) return std::unexpected(lines.error());
    // On a wire there are no keys to derive: authorized is all that EAPOL brings.
    if (n.medium == Medium::wired) out += raw_line("eapol_flags", "0");
    out += "}\n";
    return out;
}

}  // namespace lintel::wpa
