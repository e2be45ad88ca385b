// ota-install's own check of the signed manifest, before anything else runs: linteld faces the
// network and is not trusted to say what root installs. The helper reads the release keys and
// what this gateway is from lintel.yaml itself (on every request: keys may have been rotated),
// verifies the manifest, checks that the request is exactly the manifest, and decides whether it
// applies with the handler's own installed version and the helper's own floor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "helper/ota_request.hpp"
#include "lintel/error.hpp"
#include "ota/manifest.hpp"
#include "ota/manifest_verifier.hpp"

namespace lintel::helper {

// A manifest that verified, with the local policy it must be checked against.
struct VerifiedRelease {
    ota::Manifest manifest;
    ota::GatewayFacts gateway;
    std::vector<std::string> handlers;  // ota.handlers
    std::uint64_t max_artifact_size = 0;
};

// In this order: `config_dir`/lintel.yaml through load_ota_config (ota.bad_config naming file,
// line and key; ota.disabled), the release keys it lists (ota.bad_config), verify_manifest
// (ota.malformed, ota.unsupported_alg, ota.unknown_key, ota.revoked_key, ota.bad_signature,
// ota.expired), match_manifest (ota.manifest_mismatch), then check_applicable without an installed
// version or floor (ota.wrong_target, ota.handler_not_allowed, ota.too_large): what can be refused
// before a handler is even loaded.
Expected<VerifiedRelease> verify_install_request(const OtaParams& request,
                                                 const std::filesystem::path& config_dir,
                                                 std::int64_t now_ms);

// ota.manifest_mismatch, naming the first difference, unless the request's handler, component,
// version and params equal the manifest's and its artifacts are the manifest's, name by name,
// with the same sha256 and size (order aside; paths are linteld's and not in the manifest).
Expected<void> match_manifest(const OtaParams& request, const ota::Manifest& manifest);

// check_applicable with what the handler says is installed and the helper's own floor.
Expected<void> check_installable(const VerifiedRelease& release,
                                 const std::optional<std::string>& installed_version,
                                 const std::optional<std::string>& floor);

// For the log line: the release id once verified, and the kid of the JWS header even when the
// signature did not verify (as the header says: "?" when there is no readable header).
struct ManifestLabel {
    std::string release_id = "?";
    std::string kid = "?";
};
ManifestLabel label_of(std::string_view manifest_jws, const ota::Manifest* verified);

// Unix time in milliseconds (the manifests' clock).
std::int64_t unix_now_ms();

}  // namespace lintel::helper
