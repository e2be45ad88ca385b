// verify_install_request and its parts: each step reads top to bottom, in the documented order.
#include "helper/ota_manifest_check.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include "commands/jws.hpp"
#include "core/ota_config.hpp"
#include "helper/helper_log.hpp"
#include "helper/ota_codes.hpp"
#include "ota/reason_codes.hpp"
#include "ota/release_keys.hpp"

namespace lintel::helper {
namespace {

static_assert(k_max_manifest_param == ota::k_max_manifest_bytes);
static_assert(k_max_artifacts == ota::k_max_artifacts);
static_assert(k_max_handler_params == ota::k_max_params);
static_assert(k_max_param_value == ota::k_max_param_value_bytes);

constexpr std::string_view k_main_file = "lintel.yaml";

std::unexpected<Error> mismatch(std::string message) {
    return make_error(std::string(ota_codes::manifest_mismatch),
                      "the request does not match its signed manifest: " + std::move(message));
}

std::unexpected<Error> bad_config(const std::filesystem::path& file,
                                  const sdk::ConfigErrors& errors) {
    std::string issues;
    for (const auto& issue : errors.issues()) {
        issues += (issues.empty() ? "" : "; ") + issue.to_string();
    }
    return make_error(std::string(ota_codes::bad_config),
                      "cannot verify the manifest with " + file.string() + ": " + issues);
}

std::string shown(std::string_view text) { return log_quoted(text, 128); }

}  // namespace

std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Expected<void> match_manifest(const OtaParams& request, const ota::Manifest& m) {
    const std::string release = "release " + shown(m.id);
    if (request.handler != m.handler) {
        return mismatch("handler " + shown(request.handler) + ", " + release + " names " +
                        shown(m.handler));
    }
    if (request.component != m.component) {
        return mismatch("component " + shown(request.component) + ", " + release + " updates " +
                        shown(m.component));
    }
    if (request.version != m.version) {
        return mismatch("version " + shown(request.version) + ", " + release + " installs " +
                        shown(m.version));
    }
    if (request.params != m.params) {
        for (const auto& [key, value] : m.params) {
            auto it = request.params.find(key);
            if (it == request.params.end()) return mismatch("params." + key + " is missing");
            if (it->second != value) {
                return mismatch("params." + key + " differs from " + release);
            }
        }
        for (const auto& [key, value] : request.params) {
            if (!m.params.contains(key)) {
                return mismatch("params." + key + " is not in " + release);
            }
        }
    }
    std::map<std::string_view, const ota::Artifact*> signed_artifacts;
    for (const auto& a : m.artifacts) signed_artifacts.emplace(a.name, &a);
    for (const auto& a : request.artifacts) {
        auto it = signed_artifacts.find(a.name);
        if (it == signed_artifacts.end()) {
            return mismatch("artifact " + shown(a.name) + " is not in " + release);
        }
        if (a.sha256 != it->second->sha256) {
            return mismatch("artifact " + shown(a.name) + " has sha256 " + a.sha256 + ", " +
                            release + " says " + it->second->sha256);
        }
        if (a.size != it->second->size) {
            return mismatch("artifact " + shown(a.name) + " has size " + std::to_string(a.size) +
                            ", " + release + " says " + std::to_string(it->second->size));
        }
        signed_artifacts.erase(it);  // names are unique on both sides
    }
    if (!signed_artifacts.empty()) {
        return mismatch("artifact " + shown(signed_artifacts.begin()->first) + " of " + release +
                        " is missing");
    }
    return {};
}

Expected<VerifiedRelease> verify_install_request(const OtaParams& request,
                                                 const std::filesystem::path& config_dir,
                                                 std::int64_t now_ms) {
    if (config_dir.empty()) {
        return make_error(std::string(ota_codes::bad_config),
                          "no --config-dir: the helper has no release keys to verify with");
    }
    const std::filesystem::path file = config_dir / k_main_file;
    sdk::ConfigErrors errors;
    auto config = core::load_ota_config(file, errors);
    if (!config) return bad_config(file, errors);
    if (!config->ota.enabled) {
        return make_error(std::string(ota::reason::disabled),
                          "OTA updates are disabled in " + file.string() +
                              " (no ota: section, or ota.enabled: false)");
    }
    auto keys = ota::ReleaseKeys::load(config->ota, errors);
    if (!keys) return bad_config(file, errors);

    auto manifest = ota::verify_manifest(request.manifest, *keys, now_ms);
    if (!manifest) return std::unexpected(manifest.error());
    if (auto matched = match_manifest(request, *manifest); !matched) {
        return std::unexpected(matched.error());
    }
    VerifiedRelease out{
        std::move(*manifest),
        ota::GatewayFacts{config->gateway_id, config->ota.product, config->ota.hardware},
        config->ota.handlers, config->ota.max_artifact_size};
    if (auto applies = check_installable(out, std::nullopt, std::nullopt); !applies) {
        return std::unexpected(applies.error());
    }
    return out;
}

Expected<void> check_installable(const VerifiedRelease& release,
                                 const std::optional<std::string>& installed_version,
                                 const std::optional<std::string>& floor) {
    return ota::check_applicable(release.manifest, release.gateway, installed_version, floor,
                                 release.handlers, release.max_artifact_size);
}

ManifestLabel label_of(std::string_view manifest_jws, const ota::Manifest* verified) {
    ManifestLabel out;
    if (verified != nullptr) {
        out.release_id = verified->id;
        out.kid = verified->kid;
        return out;
    }
    if (auto jws = commands::parse_jws(manifest_jws, commands::JwsType::manifest,
                                       ota::k_max_manifest_bytes)) {
        out.kid = jws->kid;  // not trusted: only what the header claims, for the log
    }
    return out;
}

}  // namespace lintel::helper
