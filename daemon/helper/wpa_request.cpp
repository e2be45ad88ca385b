// parse_wpa_config_params (wpa_request.hpp): every key known, typed and bounded.
#include "helper/wpa_request.hpp"

#include <set>

#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

using nlohmann::json;

std::unexpected<Error> bad(std::string message) {
    return make_error(std::string(codes::bad_params), "wpa-config: " + std::move(message));
}

bool alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// A string param of at most `max` bytes without NUL; nullopt when absent.
Expected<std::optional<std::string>> text(const json& params, const char* key, std::size_t max,
                                          bool required) {
    auto it = params.find(key);
    if (it == params.end()) {
        if (required) return bad(std::string("\"") + key + "\" is required");
        return std::optional<std::string>();
    }
    if (!it->is_string()) return bad(std::string("\"") + key + "\" must be a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty() || s.size() > max) {
        return bad(std::string("\"") + key + "\" must be 1-" + std::to_string(max) + " bytes");
    }
    if (s.find('\0') != std::string::npos) {
        return bad(std::string("\"") + key + "\" has a NUL byte");
    }
    return std::optional<std::string>(s);
}

}  // namespace

bool is_wpa_config_file_name(std::string_view name) {
    if (name.size() <= 5 || name.size() > k_max_wpa_file_name || !alnum(name.front())) {
        return false;
    }
    for (char c : name) {
        if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
    }
    return name.ends_with(".conf") && name.find("..") == std::string_view::npos;
}

Expected<WpaConfigRequest> parse_wpa_config_params(const json& params) {
    if (!params.is_object()) return bad("params must be an object");
    static const std::set<std::string, std::less<>> k_write{"op",
                                                            "file",
                                                            "medium",
                                                            "method",
                                                            "identity",
                                                            "anonymous_identity",
                                                            "server_domain",
                                                            "phase2",
                                                            "password",
                                                            "ssid",
                                                            "key_mgmt",
                                                            "psk",
                                                            "ca_cert",
                                                            "client_cert",
                                                            "client_key"};
    for (const auto& [key, value] : params.items()) {
        if (!k_write.contains(key)) return bad("unknown param \"" + key + "\"");
    }
    WpaConfigRequest r;
    auto op = text(params, "op", 16, true);
    if (!op) return std::unexpected(op.error());
    if (**op == "restore") {
        r.op = WpaConfigRequest::Op::restore;
    } else if (**op != "write") {
        return bad("\"op\" must be \"write\" or \"restore\"");
    }
    auto file = text(params, "file", k_max_wpa_file_name, true);
    if (!file) return std::unexpected(file.error());
    if (!is_wpa_config_file_name(**file)) {
        return bad(
            "\"file\" must be a plain name ending in .conf (letters, digits, '_', '.', "
            "'-', starting with a letter or digit, at most 64 bytes, no \"..\")");
    }
    r.file = **file;
    if (r.op == WpaConfigRequest::Op::restore) {
        if (params.size() != 2) return bad("restore takes only \"op\" and \"file\"");
        return r;
    }
    auto medium = text(params, "medium", 16, true);
    if (!medium) return std::unexpected(medium.error());
    auto m = wpa::parse_medium(**medium);
    if (!m) return bad("\"medium\" must be \"wired\" or \"wifi\"");
    r.network.medium = *m;
    auto method = text(params, "method", 16, true);
    if (!method) return std::unexpected(method.error());
    auto me = wpa::parse_method(**method);
    if (!me) return bad("\"method\" must be eap-tls, peap, ttls or wifi-psk");
    r.network.method = *me;

    const bool eap = r.network.method != wpa::Method::wifi_psk;
    const bool tls = r.network.method == wpa::Method::eap_tls;
    const bool inner =
        r.network.method == wpa::Method::peap || r.network.method == wpa::Method::ttls;
    const bool wifi = r.network.medium == wpa::Medium::wireless;
    // Each key belongs to some methods; one that does not is refused rather than ignored.
    struct Field {
        const char* key;
        bool allowed;
        std::size_t max;
        std::optional<std::string>* out;
    };
    std::optional<std::string> identity, password, phase2, ssid, psk, ca;
    Field fields[] = {
        {"identity", eap, k_max_wpa_text_bytes, &identity},
        {"anonymous_identity", eap, k_max_wpa_text_bytes, &r.network.anonymous_identity},
        {"server_domain", eap, k_max_wpa_text_bytes, &r.network.server_domain},
        {"phase2", inner, 32, &phase2},
        {"password", inner, k_max_wpa_text_bytes, &password},
        {"ssid", wifi, 32, &ssid},
        {"psk", !eap, 64, &psk},
        {"ca_cert", eap, k_max_wpa_pem_bytes, &ca},
        {"client_cert", tls, k_max_wpa_pem_bytes, &r.client_cert},
        {"client_key", tls, k_max_wpa_pem_bytes, &r.client_key},
    };
    for (auto& f : fields) {
        if (!f.allowed) {
            if (params.contains(f.key)) {
                return bad(std::string("\"") + f.key + "\" does not belong to " +
                           std::string(wpa::to_string(r.network.method)) + " on " +
                           std::string(wpa::to_string(r.network.medium)));
            }
            continue;
        }
        const bool required = std::string_view(f.key) != "anonymous_identity" &&
                              std::string_view(f.key) != "server_domain";
        auto v = text(params, f.key, f.max, required);
        if (!v) return std::unexpected(v.error());
        *f.out = std::move(*v);
    }
    r.network.identity = identity.value_or("");
    r.network.password = password.value_or("");
    r.network.phase2 = phase2.value_or("");
    r.network.ssid = ssid.value_or("");
    r.network.psk = psk.value_or("");
    r.ca_cert = ca.value_or("");
    if (auto it = params.find("key_mgmt"); it != params.end()) {
        if (!wifi) return bad("\"key_mgmt\" is for Wi-Fi only");
        if (!it->is_array() || it->empty() || it->size() > 4) {
            return bad("\"key_mgmt\" must be a list of 1-4 names");
        }
        for (const auto& name : *it) {
            if (!name.is_string() || name.get_ref<const std::string&>().size() > 32) {
                return bad("\"key_mgmt\" entries must be names of at most 32 bytes");
            }
            r.network.key_mgmt.push_back(name.get<std::string>());
        }
    } else if (wifi) {
        return bad("\"key_mgmt\" is required on Wi-Fi");
    }
    return r;
}

json wpa_config_params(const WpaConfigRequest& r) {
    json p{{"op", r.op == WpaConfigRequest::Op::write ? "write" : "restore"}, {"file", r.file}};
    if (r.op == WpaConfigRequest::Op::restore) return p;
    const auto& n = r.network;
    p["medium"] = wpa::to_string(n.medium);
    p["method"] = wpa::to_string(n.method);
    const bool eap = n.method != wpa::Method::wifi_psk;
    if (eap) {
        p["identity"] = n.identity;
        if (n.anonymous_identity) p["anonymous_identity"] = *n.anonymous_identity;
        if (n.server_domain) p["server_domain"] = *n.server_domain;
        p["ca_cert"] = r.ca_cert;
    } else {
        p["psk"] = n.psk;
    }
    if (n.method == wpa::Method::peap || n.method == wpa::Method::ttls) {
        p["phase2"] = n.phase2;
        p["password"] = n.password;
    }
    if (n.method == wpa::Method::eap_tls) {
        p["client_cert"] = r.client_cert.value_or("");
        p["client_key"] = r.client_key.value_or("");
    }
    if (n.medium == wpa::Medium::wireless) {
        p["ssid"] = n.ssid;
        p["key_mgmt"] = n.key_mgmt;
    }
    return p;
}

}  // namespace lintel::helper
