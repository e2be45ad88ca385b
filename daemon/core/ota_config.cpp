// Schema of the `ota:` section (see ota_config.hpp). Default deny: with no section, or OTA
// disabled, the gateway installs nothing; enabled, it needs at least one release key.
#include "core/ota_config.hpp"

#include <set>

#include "core/config_names.hpp"
#include "core/yaml_loader.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::core {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;

// Key ids, product and hardware ids: what manifests may carry, minus a leading . or - (they end
// up in file names and log lines).
constexpr std::string_view k_id_rule =
    "must be 1-64 characters of A-Z a-z 0-9 . _ -, not starting with . or -";

// Update handler names, as manifests carry them: 1-64 of a-z 0-9 -.
bool is_handler(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return true;
}

std::string id_value(MapReader& r, std::string_view key, bool required) {
    auto v = required ? r.string(key) : r.optional_string(key);
    if (!v) return {};
    if (!is_config_name(*v)) {
        r.errors().add(*r.node().find(key), "\"" + *v + "\" " + std::string(k_id_rule));
        return {};
    }
    return *v;
}

std::optional<std::filesystem::path> path_value(MapReader& r, std::string_view key, bool required) {
    return absolute_path_value(r, key, required);
}

void parse_release_keys(MapReader& r, OtaSettings& o) {
    const ConfigNode* list = r.child("release_keys");
    if (list == nullptr || list->is_null()) return;
    if (!list->is_sequence()) {
        r.errors().add(*list, "expected a list of {kid, public_key, revoked}");
        return;
    }
    std::set<std::string> seen;
    for (const auto& item : list->items) {
        MapReader kr(item, r.errors());
        if (!kr.ok()) continue;
        ReleaseKeySetting k;
        k.mark = item.mark;
        k.kid = id_value(kr, "kid", true);
        if (!k.kid.empty() && !seen.insert(k.kid).second) {
            kr.errors().add(*item.find("kid"), "duplicate release key kid \"" + k.kid + "\"");
        }
        if (auto file = path_value(kr, "public_key", true)) k.public_key_file = *file;
        k.revoked = kr.boolean("revoked", false);
        kr.finish();
        o.release_keys.push_back(std::move(k));
    }
}

void parse_handlers(MapReader& r, OtaSettings& o) {
    const ConfigNode* n = r.child("handlers");
    if (n == nullptr) return;
    if (!n->is_sequence() || n->items.empty()) {
        r.errors().add(*n, "expected a non-empty list of update handler names (e.g. [deb])");
        return;
    }
    o.handlers.clear();
    std::set<std::string> seen;
    for (const auto& item : n->items) {
        if (!item.is_scalar() || !is_handler(item.scalar)) {
            r.errors().add(item, "a handler name must be 1-64 characters of a-z 0-9 -");
            continue;
        }
        if (!seen.insert(item.scalar).second) {
            r.errors().add(item, "duplicate handler \"" + item.scalar + "\"");
            continue;
        }
        o.handlers.push_back(item.scalar);
    }
}

void parse_download(MapReader& r, OtaDownloadSettings& d) {
    const ConfigNode* n = r.child("download");
    if (n == nullptr) return;
    MapReader dr(*n, r.errors());
    if (!dr.ok()) return;
    d.ca_file = path_value(dr, "ca", false);
    d.client_cert = path_value(dr, "client_cert", false);
    d.client_key = path_value(dr, "client_key", false);
    if (dr.has("client_cert") != dr.has("client_key")) {
        dr.errors().add(*n, "client_cert and client_key go together: give both or neither");
    }
    // Bytes per second; "0" is unlimited.
    d.bandwidth_limit = dr.size("bandwidth_limit", d.bandwidth_limit, 0, 1ULL << 40);
    if (d.bandwidth_limit != 0 && d.bandwidth_limit < 1024) {
        dr.errors().add(*n->find("bandwidth_limit"),
                        "must be 0 (unlimited) or at least 1KiB (bytes per second)");
    }
    // An idle limit per step (connect, handshake, header, silence in the body); a 4G link with
    // seconds of latency needs more than a LAN, an hour of silence is a dead connection.
    d.timeout = dr.duration("timeout", d.timeout, std::chrono::seconds(5), std::chrono::hours(1));
    dr.finish();
}

}  // namespace

std::optional<std::filesystem::path> absolute_path_value(MapReader& r, std::string_view key,
                                                         bool required) {
    auto s = required ? r.string(key) : r.optional_string(key);
    if (!s) return std::nullopt;
    if (s->empty() || s->front() != '/') {
        r.errors().add(*r.node().find(key), "must be an absolute path, got \"" + *s + "\"");
        return std::nullopt;
    }
    return std::filesystem::path(*s);
}

void parse_ota(const ConfigNode* node, OtaSettings& o, ConfigErrors& errors) {
    if (node == nullptr || node->is_null()) return;
    MapReader r(*node, errors);
    if (!r.ok()) return;
    o.enabled = r.boolean("enabled", true);
    // What this gateway is matters only when updates are on; a disabled section may be partial.
    o.product = id_value(r, "product", o.enabled);
    o.hardware = id_value(r, "hardware", o.enabled);
    parse_release_keys(r, o);
    o.max_artifact_size = r.size("max_artifact_size", o.max_artifact_size, 1024, 1ULL << 40);
    parse_handlers(r, o);
    if (auto dir = path_value(r, "staging_dir", false)) o.staging_dir = *dir;
    parse_download(r, o.download);
    o.health_deadline = r.duration("health_deadline", o.health_deadline, 10s, 24h);
    r.finish();
    if (o.enabled && o.release_keys.empty()) {
        errors.add(*node, "OTA is enabled but no release key is configured (ota.release_keys)");
    }
}

std::optional<OtaFileConfig> load_ota_config(const std::filesystem::path& main_file,
                                             ConfigErrors& errors) {
    const std::size_t before = errors.size();
    auto root = load_yaml_file(main_file, errors);
    if (!root) return std::nullopt;
    OtaFileConfig out;
    if (!root->is_map()) {
        errors.add(*root, "expected a map of sections (gateway, uplink, ota, ...)");
        return std::nullopt;
    }
    const ConfigNode* gateway = root->find("gateway");
    const ConfigNode* id = gateway != nullptr && gateway->is_map() ? gateway->find("id") : nullptr;
    if (id == nullptr) {
        errors.add(root->mark, "gateway.id", "required key is missing");
    } else if (!id->is_scalar() || !is_config_name(id->scalar)) {
        errors.add(*id, "gateway id " + std::string(k_id_rule));
    } else {
        out.gateway_id = id->scalar;
    }
    parse_ota(root->find("ota"), out.ota, errors);
    if (errors.size() != before) return std::nullopt;
    return out;
}

}  // namespace lintel::core
