// lintel-sign manifest.
#include "sign/sign_manifest.hpp"

#include <limits>
#include <map>
#include <utility>

#include "commands/key_files.hpp"
#include "commands/keys.hpp"
#include "commands/strict_json.hpp"
#include "ota/artifact_check.hpp"
#include "ota/manifest.hpp"
#include "ota/version.hpp"
#include "sign/duration.hpp"
#include "sign/tool.hpp"

namespace lintel::sign {
namespace {

std::unexpected<Error> usage(std::string what) {
    return make_error(std::string(k_usage), std::move(what));
}

// "NAME=VALUE" split at the first '='; both sides non-empty.
Expected<std::pair<std::string, std::string>> pair_of(const std::string& spec,
                                                      std::string_view option,
                                                      std::string_view form) {
    const auto eq = spec.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == spec.size()) {
        return usage(std::string(option) + " \"" + commands::printable(spec) +
                     "\": " + std::string(form) + " expected");
    }
    return std::pair{spec.substr(0, eq), spec.substr(eq + 1)};
}

// A release id from the component and version: what the identifier rule allows, '_' for the rest.
std::string default_id(const std::string& component, const std::string& version) {
    std::string id = component + "-" + version;
    for (char& c : id) {
        if (!commands::is_identifier(std::string_view(&c, 1))) c = '_';
    }
    return id.substr(0, 64);
}

Expected<void> add_artifacts(const ManifestOptions& options, ota::Manifest& manifest) {
    std::map<std::string, std::string> urls;
    for (const auto& spec : options.urls) {
        auto kv = pair_of(spec, "--url", "NAME=URL");
        if (!kv) return std::unexpected(kv.error());
        if (!urls.emplace(kv->first, kv->second).second) {
            return usage("--url " + kv->first + " is given twice");
        }
    }
    if (options.artifacts.empty()) return usage("at least one --artifact NAME=PATH is needed");
    for (const auto& spec : options.artifacts) {
        auto kv = pair_of(spec, "--artifact", "NAME=PATH");
        if (!kv) return std::unexpected(kv.error());
        const auto& [name, path] = *kv;
        auto url = urls.find(name);
        if (url == urls.end())
            return usage("--artifact " + name + " has no --url " + name + "=URL");
        auto digest = ota::digest_file(path, ota::k_max_declared_artifact_size);
        if (!digest) return usage("--artifact " + name + ": " + digest.error().message);
        manifest.artifacts.push_back(
            ota::Artifact{name, url->second, digest->sha256, digest->size});
        urls.erase(url);
    }
    if (!urls.empty()) {
        return usage("--url " + urls.begin()->first + " names no --artifact");
    }
    return {};
}

}  // namespace

Expected<std::string> sign_manifest(const ManifestOptions& options,
                                    std::chrono::system_clock::time_point now) {
    // Everything on the command line first: a typo should not wait for (or be hidden by) the key.
    ota::Manifest m;
    m.component = options.component;
    m.version = options.version;
    m.handler = options.handler;
    m.target.product = options.product;
    m.target.hardware = options.hardware;
    if (!options.gateways.empty()) m.target.gateways = options.gateways;
    m.min_version = options.min_version;
    m.allow_downgrade = options.allow_downgrade;
    m.id = options.id.value_or(default_id(options.component, options.version));
    for (const auto& spec : options.params) {
        auto kv = pair_of(spec, "--param", "K=V");
        if (!kv) return std::unexpected(kv.error());
        if (!m.params.emplace(kv->first, kv->second).second) {
            return usage("--param " + kv->first + " is given twice");
        }
    }
    std::int64_t issued_at =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (options.issued_at_ms) {
        if (*options.issued_at_ms < 0) return usage("--issued-at must be >= 0 (Unix ms)");
        issued_at = *options.issued_at_ms;
    }
    m.issued_at_ms = issued_at;
    if (options.expires_in) {
        const auto ttl = parse_duration(*options.expires_in);
        if (!ttl) {
            return usage("--expires-in \"" + commands::printable(*options.expires_in) +
                         "\" is not a duration such as 12h or 30d (at most 366d)");
        }
        if (issued_at > std::numeric_limits<std::int64_t>::max() - ttl->count()) {
            return usage("--issued-at + --expires-in is beyond any representable time");
        }
        m.expires_at_ms = issued_at + ttl->count();
    }
    if (!commands::is_identifier(options.kid)) {
        return usage("--kid must be " + std::string(commands::k_identifier_rule));
    }
    // The gateway's own rules, in its words, on every other field before the (possibly large)
    // artifacts are hashed: a stand-in artifact fills the list for this first check.
    m.artifacts.push_back(
        ota::Artifact{"placeholder", "https://placeholder", std::string(64, '0'), 1});
    if (auto payload = ota::manifest_payload(m); !payload) return usage(payload.error().message);
    m.artifacts.clear();
    if (auto added = add_artifacts(options, m); !added) return std::unexpected(added.error());
    if (auto payload = ota::manifest_payload(m); !payload) return usage(payload.error().message);

    auto key = commands::PrivateKey::from_pem_file(options.key);
    if (!key) return std::unexpected(key.error());
    auto text = ota::sign_manifest(m, options.kid, *key);
    if (!text) return usage(text.error().message);
    if (!options.out) return *text + "\n";
    if (auto written = commands::write_new_file(*options.out, *text + "\n", 0644); !written) {
        return std::unexpected(written.error());
    }
    return "manifest " + m.id + " (" + m.component + " " + m.version + ", " +
           std::to_string(m.artifacts.size()) + " artifact" + (m.artifacts.size() == 1 ? "" : "s") +
           ", kid " + options.kid + ") written to " + options.out->string() + "\n";
}

}  // namespace lintel::sign
