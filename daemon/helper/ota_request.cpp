// Strict parsing of the ota-* actions' params.
#include "helper/ota_request.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "common/strict_json.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_path = 4096;

std::unexpected<Error> bad(OtaStep step, std::string message) {
    return make_error(std::string(codes::bad_params),
                      std::string(action_name(step)) + ": " + std::move(message));
}

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

bool all_of(std::string_view text, std::string_view extra, bool upper) {
    return std::all_of(text.begin(), text.end(), [&](char c) {
        return (upper ? alnum(c) : lower_alnum(c)) || extra.find(c) != std::string_view::npos;
    });
}

std::string shown(std::string_view text) { return "\"" + common::printable(text, 80) + "\""; }

// A non-negative integer however nlohmann stored it (parsed text gives unsigned, code signed).
std::optional<std::uint64_t> non_negative(const json& value) {
    if (value.is_number_unsigned()) return value.get<std::uint64_t>();
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
        return static_cast<std::uint64_t>(value.get<std::int64_t>());
    }
    return std::nullopt;
}

Expected<std::string> string_at(const json& object, std::string_view key, OtaStep step) {
    auto it = object.find(std::string(key));
    if (it == object.end()) return bad(step, "\"" + std::string(key) + "\" is required");
    if (!it->is_string()) {
        return bad(step, "\"" + std::string(key) + "\" must be a string, got " +
                             std::string(type_name(*it)));
    }
    return it->get<std::string>();
}

Expected<void> check_keys(const json& object, std::initializer_list<std::string_view> allowed,
                          std::string_view where, OtaStep step) {
    for (const auto& [key, value] : object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            return bad(step, "unknown key " + shown(key) + " in " + std::string(where) +
                                 " (allowed: " + list + ")");
        }
    }
    return {};
}

Expected<OtaArtifactParam> parse_artifact(const json& item, std::size_t index, OtaStep step) {
    const std::string where = "artifacts[" + std::to_string(index) + "]";
    if (!item.is_object()) return bad(step, where + " must be an object");
    if (auto keys = check_keys(item, {"name", "path", "sha256", "size"}, where, step); !keys) {
        return std::unexpected(keys.error());
    }
    OtaArtifactParam out;
    auto name = string_at(item, "name", step);
    if (!name) return std::unexpected(name.error());
    if (name->empty() || name->size() > k_max_artifact_name || !all_of(*name, "._+~-", true)) {
        return bad(step, where + ".name must be 1 to 128 of [A-Za-z0-9._+~-], got " + shown(*name));
    }
    out.name = std::move(*name);
    auto path = string_at(item, "path", step);
    if (!path) return std::unexpected(path.error());
    if (!path->starts_with('/') || path->size() > k_max_path ||
        path->find('\0') != std::string::npos) {
        return bad(step, where + ".path must be an absolute path, got " + shown(*path));
    }
    out.path = std::move(*path);
    auto sha256 = string_at(item, "sha256", step);
    if (!sha256) return std::unexpected(sha256.error());
    if (sha256->size() != 64 || !std::all_of(sha256->begin(), sha256->end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) {
        return bad(step, where + ".sha256 must be 64 lower-case hex digits");
    }
    out.sha256 = std::move(*sha256);
    auto size = item.find("size");
    if (size == item.end()) return bad(step, where + ".size is required");
    const auto bytes = non_negative(*size);
    if (!bytes || *bytes > k_max_artifact_bytes) {
        return bad(step, where + ".size must be an integer from 0 to " +
                             std::to_string(k_max_artifact_bytes) + " (16 GiB)");
    }
    out.size = *bytes;
    return out;
}

Expected<std::vector<OtaArtifactParam>> parse_artifacts(const json& params, OtaStep step) {
    auto it = params.find("artifacts");
    if (step != OtaStep::install) {
        if (it != params.end()) return bad(step, "\"artifacts\" belong to ota-install only");
        return std::vector<OtaArtifactParam>{};
    }
    if (it == params.end()) return bad(step, "\"artifacts\" is required");
    if (!it->is_array() || it->empty() || it->size() > k_max_artifacts) {
        return bad(step, "\"artifacts\" must be an array of 1 to " +
                             std::to_string(k_max_artifacts) + " objects");
    }
    std::vector<OtaArtifactParam> out;
    std::set<std::string> names;
    for (std::size_t i = 0; i < it->size(); ++i) {
        auto artifact = parse_artifact((*it)[i], i, step);
        if (!artifact) return std::unexpected(artifact.error());
        if (!names.insert(artifact->name).second) {
            return bad(step, "artifact name " + shown(artifact->name) + " is given twice");
        }
        out.push_back(std::move(*artifact));
    }
    return out;
}

Expected<std::map<std::string, std::string>> parse_handler_params(const json& params,
                                                                  OtaStep step) {
    std::map<std::string, std::string> out;
    auto it = params.find("params");
    if (it == params.end()) return out;
    if (!it->is_object() || it->size() > k_max_handler_params) {
        return bad(step, "\"params\" must be an object of at most " +
                             std::to_string(k_max_handler_params) + " entries");
    }
    for (const auto& [key, value] : it->items()) {
        if (key.empty() || key.size() > 64 || !all_of(key, "_.-", false)) {
            return bad(step, "params key " + shown(key) + " must be 1 to 64 of [a-z0-9_.-]");
        }
        if (!value.is_string()) {
            return bad(step,
                       "params." + key + " must be a string, got " + std::string(type_name(value)));
        }
        const auto& text = value.get_ref<const std::string&>();
        if (text.size() > k_max_param_value || text.find('\0') != std::string::npos) {
            return bad(step, "params." + key + " must be at most " +
                                 std::to_string(k_max_param_value) + " bytes without NUL");
        }
        out.emplace(key, text);
    }
    return out;
}

// The signed manifest travels as the cloud signed it: the helper verifies it itself.
Expected<std::string> parse_manifest(const json& params, OtaStep step) {
    if (step != OtaStep::install) {
        if (params.contains("manifest"))
            return bad(step, "\"manifest\" belongs to ota-install only");
        return std::string();
    }
    auto text = string_at(params, "manifest", step);
    if (!text) return std::unexpected(text.error());
    if (text->empty() || text->size() > k_max_manifest_param) {
        return bad(step, "\"manifest\" must be the signed manifest (compact JWS) of 1 to " +
                             std::to_string(k_max_manifest_param) + " bytes, got " +
                             std::to_string(text->size()));
    }
    return std::move(*text);
}

}  // namespace

std::string_view action_name(OtaStep step) {
    switch (step) {
        case OtaStep::installed_version:
            return "ota-installed-version";
        case OtaStep::install:
            return "ota-install";
        case OtaStep::commit:
            return "ota-commit";
        case OtaStep::rollback:
            return "ota-rollback";
    }
    return "ota-?";
}

std::chrono::seconds default_timeout(OtaStep step) {
    switch (step) {
        case OtaStep::install:
            return std::chrono::seconds(900);
        case OtaStep::commit:
        case OtaStep::rollback:
            return std::chrono::seconds(600);
        case OtaStep::installed_version:
            return std::chrono::seconds(60);
    }
    return std::chrono::seconds(60);
}

Expected<OtaParams> parse_ota_params(const json& params, OtaStep step) {
    if (!params.is_object()) return bad(step, "params must be an object");
    const bool versioned = step != OtaStep::installed_version;
    auto keys = versioned ? check_keys(params,
                                       {"handler", "component", "version", "artifacts", "params",
                                        "timeout_s", "manifest"},
                                       "params", step)
                          : check_keys(params, {"handler", "component", "params", "timeout_s"},
                                       "params", step);
    if (!keys) return std::unexpected(keys.error());

    OtaParams out;
    auto handler = string_at(params, "handler", step);
    if (!handler) return std::unexpected(handler.error());
    if (handler->empty() || handler->size() > 32 || !all_of(*handler, "_-", false)) {
        return bad(step, "\"handler\" must be 1 to 32 of [a-z0-9_-], got " + shown(*handler));
    }
    out.handler = std::move(*handler);
    auto component = string_at(params, "component", step);
    if (!component) return std::unexpected(component.error());
    if (component->empty() || component->size() > 64 || !lower_alnum(component->front()) ||
        !all_of(*component, "+._-", false)) {
        return bad(step,
                   "\"component\" must be [a-z0-9][a-z0-9+._-]{0,63}, got " + shown(*component));
    }
    out.component = std::move(*component);
    if (versioned) {
        auto version = string_at(params, "version", step);
        if (!version) return std::unexpected(version.error());
        if (version->empty() || version->size() > 128 || !all_of(*version, ".+~:_-", true)) {
            return bad(step,
                       "\"version\" must be 1 to 128 of [A-Za-z0-9.+~:_-], got " + shown(*version));
        }
        out.version = std::move(*version);
    }
    auto artifacts = parse_artifacts(params, step);
    if (!artifacts) return std::unexpected(artifacts.error());
    out.artifacts = std::move(*artifacts);
    auto handler_params = parse_handler_params(params, step);
    if (!handler_params) return std::unexpected(handler_params.error());
    out.params = std::move(*handler_params);
    auto manifest = parse_manifest(params, step);
    if (!manifest) return std::unexpected(manifest.error());
    out.manifest = std::move(*manifest);

    out.timeout = default_timeout(step);
    if (auto t = params.find("timeout_s"); t != params.end()) {
        const auto seconds = non_negative(*t);
        if (!seconds || *seconds == 0 ||
            *seconds > static_cast<std::uint64_t>(k_max_ota_timeout.count())) {
            return bad(step, "\"timeout_s\" must be an integer from 1 to " +
                                 std::to_string(k_max_ota_timeout.count()));
        }
        out.timeout = std::chrono::seconds(static_cast<std::int64_t>(*seconds));
    }
    return out;
}

}  // namespace lintel::helper
