// Strict parsing and building of the manifest payload (see manifest.hpp, docs/ota.md).
#include "ota/manifest.hpp"

#include <array>
#include <set>

#include "commands/jws.hpp"
#include "commands/strict_json.hpp"
#include "ota/reason_codes.hpp"
#include "ota/version.hpp"

namespace lintel::ota {
namespace {

using commands::printable;
using nlohmann::json;

// The payload object is level 1, target/artifacts/params 2, an artifact or target.hardware 3.
constexpr int k_max_depth = 3;

constexpr std::array<std::string_view, 12> k_keys{
    "v",         "id",          "component",       "version", "handler",   "target",
    "artifacts", "min_version", "allow_downgrade", "params",  "issued_at", "expires_at"};
constexpr std::array<std::string_view, 8> k_required{"v",       "id",     "component", "version",
                                                     "handler", "target", "artifacts", "issued_at"};
constexpr std::array<std::string_view, 3> k_target_keys{"product", "hardware", "gateways"};
constexpr std::array<std::string_view, 4> k_artifact_keys{"name", "url", "sha256", "size"};

std::unexpected<Error> refuse(std::string_view path, std::string_view what) {
    return make_error(std::string(reason::malformed), std::string(path) + ": " + std::string(what));
}

std::string got(const json& value) { return ", got " + std::string(value.type_name()); }

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view key) {
    for (auto name : names) {
        if (name == key) return true;
    }
    return false;
}

// Unknown keys first (a newer format is better explained by them), then missing ones.
template <std::size_t N, std::size_t M>
Expected<void> check_keys(const json& object, std::string_view path,
                          const std::array<std::string_view, N>& allowed,
                          const std::array<std::string_view, M>& required) {
    for (const auto& [key, value] : object.items()) {
        if (!contains(allowed, key)) {
            return refuse(path, "unknown key \"" + printable(key) +
                                    "\" (allowed: " + commands::join_names(allowed) + ")");
        }
    }
    for (auto key : required) {
        if (!object.contains(std::string(key))) {
            return refuse(path, "has no \"" + std::string(key) + "\"");
        }
    }
    return {};
}

bool name_char(char c, bool upper, std::string_view extra) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper && c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
}

bool is_name(std::string_view text, std::size_t max, bool upper, std::string_view extra,
             bool no_leading_dot_dash) {
    if (text.empty() || text.size() > max) return false;
    if (no_leading_dot_dash && (text.front() == '.' || text.front() == '-')) return false;
    for (char c : text) {
        if (!name_char(c, upper, extra)) return false;
    }
    return true;
}

Expected<std::string> string_field(const json& value, const std::string& path) {
    if (!value.is_string()) return refuse(path, "must be a string" + got(value));
    return value.get<std::string>();
}

// A string checked by `valid`; `rule` says what is expected.
template <typename Valid>
Expected<std::string> named(const json& value, const std::string& path, Valid valid,
                            std::string_view rule) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (!valid(*text)) {
        return refuse(path, "must be " + std::string(rule) + ", got \"" + printable(*text) + "\"");
    }
    return text;
}

Expected<std::string> version_field(const json& value, const std::string& path) {
    auto text = string_field(value, path);
    if (!text) return text;
    if (auto why = version_problem(*text)) {
        return refuse(path, "\"" + printable(*text) + "\" " + *why + " (" +
                                std::string(k_version_rule) + ")");
    }
    return text;
}

Expected<std::int64_t> timestamp(const json& value, const std::string& path) {
    auto ms = commands::non_negative_integer(value);
    if (!ms) {
        return refuse(path,
                      "must be an integer >= 0 (Unix time in milliseconds)" +
                          (value.is_number() ? ", got " + printable(value.dump()) : got(value)));
    }
    return *ms;
}

constexpr std::string_view k_identifier_rule = commands::k_identifier_rule;

// A list of 1..max distinct identifiers (hardware or gateway ids).
Expected<std::vector<std::string>> id_list(const json& value, const std::string& path,
                                           std::size_t max) {
    if (!value.is_array()) return refuse(path, "must be a list of strings" + got(value));
    if (value.empty()) return refuse(path, "must not be empty");
    if (value.size() > max) {
        return refuse(path, "lists " + std::to_string(value.size()) + " entries; at most " +
                                std::to_string(max));
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        auto id = named(value[i], item_path, commands::is_identifier, k_identifier_rule);
        if (!id) return std::unexpected(id.error());
        if (!seen.insert(*id).second) return refuse(item_path, "duplicate \"" + *id + "\"");
        out.push_back(std::move(*id));
    }
    return out;
}

Expected<Target> parse_target(const json& value) {
    if (!value.is_object()) return refuse("target", "must be an object" + got(value));
    if (auto keys = check_keys(value, "target", k_target_keys,
                               std::array<std::string_view, 2>{"product", "hardware"});
        !keys) {
        return std::unexpected(keys.error());
    }
    Target target;
    auto product =
        named(value.at("product"), "target.product", commands::is_identifier, k_identifier_rule);
    if (!product) return std::unexpected(product.error());
    target.product = std::move(*product);
    auto hardware = id_list(value.at("hardware"), "target.hardware", k_max_hardware);
    if (!hardware) return std::unexpected(hardware.error());
    target.hardware = std::move(*hardware);
    if (auto gateways = value.find("gateways"); gateways != value.end()) {
        auto list = id_list(*gateways, "target.gateways", k_max_gateways);
        if (!list) return std::unexpected(list.error());
        target.gateways = std::move(*list);
    }
    return target;
}

Expected<Artifact> parse_artifact(const json& value, const std::string& path) {
    if (!value.is_object()) return refuse(path, "must be an object" + got(value));
    if (auto keys = check_keys(value, path, k_artifact_keys, k_artifact_keys); !keys) {
        return std::unexpected(keys.error());
    }
    Artifact a;
    auto name = named(value.at("name"), path + ".name", is_artifact_name,
                      "1-128 characters of A-Z a-z 0-9 . _ - + ~, not starting with . or -");
    if (!name) return std::unexpected(name.error());
    a.name = std::move(*name);
    auto url = string_field(value.at("url"), path + ".url");
    if (!url) return std::unexpected(url.error());
    if (auto why = url_problem(*url)) return refuse(path + ".url", *why);
    a.url = std::move(*url);
    auto sha256 = string_field(value.at("sha256"), path + ".sha256");
    if (!sha256) return std::unexpected(sha256.error());
    if (!is_sha256_hex(*sha256)) {
        return refuse(path + ".sha256",
                      "not 64 lower-case hex digits (sha256sum's output), got \"" +
                          printable(*sha256) + "\"");
    }
    a.sha256 = std::move(*sha256);
    const json& size = value.at("size");
    auto bytes = commands::non_negative_integer(size);
    if (!bytes || *bytes < 1 || static_cast<std::uint64_t>(*bytes) > k_max_declared_artifact_size) {
        return refuse(path + ".size",
                      "must be an integer number of bytes, 1 to 2^40" +
                          (size.is_number() ? ", got " + printable(size.dump()) : got(size)));
    }
    a.size = static_cast<std::uint64_t>(*bytes);
    return a;
}

Expected<std::vector<Artifact>> parse_artifacts(const json& value) {
    if (!value.is_array()) return refuse("artifacts", "must be a list of objects" + got(value));
    if (value.empty()) return refuse("artifacts", "must list at least one artifact");
    if (value.size() > k_max_artifacts) {
        return refuse("artifacts", "lists " + std::to_string(value.size()) +
                                       " artifacts; at most " + std::to_string(k_max_artifacts));
    }
    std::vector<Artifact> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string path = "artifacts[" + std::to_string(i) + "]";
        auto artifact = parse_artifact(value[i], path);
        if (!artifact) return std::unexpected(artifact.error());
        if (!names.insert(artifact->name).second) {
            return refuse(path + ".name", "duplicate artifact name \"" + artifact->name + "\"");
        }
        out.push_back(std::move(*artifact));
    }
    return out;
}

Expected<std::map<std::string, std::string>> parse_params(const json& value) {
    if (!value.is_object()) return refuse("params", "must be an object" + got(value));
    if (value.size() > k_max_params) {
        return refuse("params", "has " + std::to_string(value.size()) + " entries; at most " +
                                    std::to_string(k_max_params));
    }
    std::map<std::string, std::string> out;
    for (const auto& [key, item] : value.items()) {
        if (!is_param_name(key)) {
            return refuse("params", "name \"" + printable(key) +
                                        "\" must be 1-64 characters of a-z 0-9 _ . -");
        }
        const std::string path = "params." + key;
        auto text = string_field(item, path);
        if (!text) return std::unexpected(text.error());
        if (text->size() > k_max_param_value_bytes) {
            return refuse(path,
                          "is longer than " + std::to_string(k_max_param_value_bytes) + " bytes");
        }
        for (char c : *text) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                return refuse(path, "contains a control character");
            }
        }
        out.emplace(key, std::move(*text));
    }
    return out;
}

// The top-level scalar fields.
Expected<void> parse_scalars(const json& p, Manifest& m) {
    auto id = named(p.at("id"), "id", commands::is_identifier, k_identifier_rule);
    if (!id) return std::unexpected(id.error());
    m.id = std::move(*id);
    auto component = named(p.at("component"), "component", is_component_name,
                           "1-64 characters of a-z 0-9 . _ -, not starting with . or -");
    if (!component) return std::unexpected(component.error());
    m.component = std::move(*component);
    auto version = version_field(p.at("version"), "version");
    if (!version) return std::unexpected(version.error());
    m.version = std::move(*version);
    auto handler =
        named(p.at("handler"), "handler", commands::is_action_name, commands::k_action_rule);
    if (!handler) return std::unexpected(handler.error());
    m.handler = std::move(*handler);
    if (auto floor = p.find("min_version"); floor != p.end()) {
        auto text = version_field(*floor, "min_version");
        if (!text) return std::unexpected(text.error());
        if (compare_versions(*text, m.version) > 0) {
            return refuse("min_version", "\"" + *text + "\" is higher than version \"" + m.version +
                                             "\" (the release could never install)");
        }
        m.min_version = std::move(*text);
    }
    if (auto allow = p.find("allow_downgrade"); allow != p.end()) {
        if (!allow->is_boolean())
            return refuse("allow_downgrade", "must be true or false" + got(*allow));
        m.allow_downgrade = allow->get<bool>();
    }
    auto issued = timestamp(p.at("issued_at"), "issued_at");
    if (!issued) return std::unexpected(issued.error());
    m.issued_at_ms = *issued;
    if (auto expires = p.find("expires_at"); expires != p.end()) {
        auto at = timestamp(*expires, "expires_at");
        if (!at) return std::unexpected(at.error());
        if (*at <= m.issued_at_ms) {
            return refuse("expires_at", "must be later than issued_at (" + std::to_string(*at) +
                                            " <= " + std::to_string(m.issued_at_ms) + ")");
        }
        m.expires_at_ms = *at;
    }
    return {};
}

}  // namespace

bool is_component_name(std::string_view text) { return is_name(text, 64, false, "._-", true); }
bool is_artifact_name(std::string_view text) { return is_name(text, 128, true, "._-+~", true); }
bool is_param_name(std::string_view text) { return is_name(text, 64, false, "_.-", false); }

bool is_sha256_hex(std::string_view text) {
    if (text.size() != 64) return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

std::optional<std::string> url_problem(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (url.size() > k_max_url_length) {
        return "is longer than " + std::to_string(k_max_url_length) + " characters";
    }
    if (!url.starts_with(scheme)) {
        return "must be an https:// URL (artifacts are never fetched in clear text), got \"" +
               printable(url) + "\"";
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            return std::string("must be printable ASCII without spaces (percent-encode the rest)");
        }
    }
    const auto rest = url.substr(scheme.size());
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.empty()) return std::string("has no host");
    if (authority.find('@') != std::string_view::npos) {
        return std::string("must not carry credentials (user@host): they would end up in logs");
    }
    return std::nullopt;
}

Expected<Manifest> parse_manifest_payload(std::string_view payload) {
    auto parsed = commands::parse_strict_json(payload, "manifest", k_max_depth,
                                              "a manifest nests at most 3 levels");
    if (!parsed) return make_error(std::string(reason::malformed), parsed.error().message);
    const json& p = *parsed;
    if (!p.is_object()) return refuse("manifest", "must be a JSON object" + got(p));
    // The format version first: a newer signer's extra keys are better explained by it.
    auto v = p.find("v");
    if (v == p.end()) return refuse("manifest", "has no \"v\" (this gateway reads format 1)");
    if (auto format = commands::non_negative_integer(*v);
        !v->is_number_integer() || !format || *format != k_manifest_format) {
        return refuse("v", "format " + printable(v->dump()) +
                               " is not supported (this gateway reads format 1)");
    }
    if (auto keys = check_keys(p, "manifest", k_keys, k_required); !keys) {
        return std::unexpected(keys.error());
    }
    Manifest m;
    if (auto scalars = parse_scalars(p, m); !scalars) return std::unexpected(scalars.error());
    auto target = parse_target(p.at("target"));
    if (!target) return std::unexpected(target.error());
    m.target = std::move(*target);
    auto artifacts = parse_artifacts(p.at("artifacts"));
    if (!artifacts) return std::unexpected(artifacts.error());
    m.artifacts = std::move(*artifacts);
    if (auto params = p.find("params"); params != p.end()) {
        auto map = parse_params(*params);
        if (!map) return std::unexpected(map.error());
        m.params = std::move(*map);
    }
    return m;
}

Expected<std::string> manifest_payload(const Manifest& m) {
    nlohmann::ordered_json p;
    p["v"] = k_manifest_format;
    p["id"] = m.id;
    p["component"] = m.component;
    p["version"] = m.version;
    p["handler"] = m.handler;
    nlohmann::ordered_json target;
    target["product"] = m.target.product;
    target["hardware"] = m.target.hardware;
    if (m.target.gateways) target["gateways"] = *m.target.gateways;
    p["target"] = std::move(target);
    p["artifacts"] = nlohmann::ordered_json::array();
    for (const auto& a : m.artifacts) {
        p["artifacts"].push_back(nlohmann::ordered_json{
            {"name", a.name}, {"url", a.url}, {"sha256", a.sha256}, {"size", a.size}});
    }
    if (m.min_version) p["min_version"] = *m.min_version;
    if (m.allow_downgrade) p["allow_downgrade"] = true;
    if (!m.params.empty()) p["params"] = m.params;
    p["issued_at"] = m.issued_at_ms;
    if (m.expires_at_ms) p["expires_at"] = *m.expires_at_ms;
    std::string text;
    try {
        // Strict: invalid UTF-8 in a field is an error, not silently replaced.
        text = p.dump();
    } catch (const json::exception& e) {
        return make_error(std::string(error::bad_input), printable(e.what(), 120));
    }
    // One set of rules: what the gateway would refuse is refused here, in its words.
    if (auto back = parse_manifest_payload(text); !back) {
        return make_error(std::string(error::bad_input), back.error().message);
    }
    return text;
}

Expected<std::string> sign_manifest(const Manifest& manifest, std::string_view kid,
                                    const commands::PrivateKey& key) {
    auto payload = manifest_payload(manifest);
    if (!payload) return std::unexpected(payload.error());
    if (payload->size() > k_max_manifest_bytes) {
        return make_error(std::string(error::bad_input),
                          "the manifest payload is " + std::to_string(payload->size()) +
                              " bytes; a signed manifest may be at most " +
                              std::to_string(k_max_manifest_bytes));
    }
    auto text = commands::make_jws(commands::JwsType::manifest, kid, *payload, key);
    if (!text) return make_error(std::string(error::bad_input), text.error().message);
    auto check = [&]() -> Expected<void> {
        auto jws = commands::parse_jws(*text, commands::JwsType::manifest, k_max_manifest_bytes);
        if (!jws) return std::unexpected(jws.error());
        if (auto verified = commands::verify_jws(*jws, key.public_key()); !verified) {
            return verified;
        }
        if (auto parsed = parse_manifest_payload(jws->payload); !parsed) {
            return std::unexpected(parsed.error());
        }
        return {};
    };
    if (auto checked = check(); !checked) {
        return make_error(
            std::string(error::bad_input),
            "the signed manifest does not pass its own checks: " + checked.error().message);
    }
    return text;
}

}  // namespace lintel::ota
