// Deciding whether a manifest may be applied, in two pure steps, each refusal with its stable
// reason code (reason_codes.hpp) and a message saying exactly what was wrong:
//   verify_manifest   size -> JWS form and typ -> key known -> not revoked -> signature ->
//                     payload -> not expired
//   check_applicable  target -> handler allowed -> artifact sizes -> floor -> installed version
// linteld runs both before downloading; lintel-helper runs both again before installing
// (linteld faces the network and must not be able to make root install unsigned code).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "ota/manifest.hpp"
#include "ota/release_keys.hpp"

namespace lintel::ota {

// Errors: ota.malformed (too large, not a compact JWS of typ lintel-manifest+jws, bad payload),
// ota.unsupported_alg, ota.unknown_key, ota.revoked_key, ota.bad_signature, ota.expired
// (expires_at <= now_ms). The payload is parsed only after the signature has been checked.
// On success kid and alg are set from the header.
Expected<Manifest> verify_manifest(std::string_view jws_text, const ReleaseKeys& keys,
                                   std::int64_t now_ms);

// What the gateway is (gateway.id, ota.product, ota.hardware).
struct GatewayFacts {
    std::string gateway_id;
    std::string product;
    std::string hardware;
};

// `installed_version`: the component's version now (nullopt: not installed). `floor`: the highest
// min_version ever committed for the component (nullopt: none). Errors:
//   ota.wrong_target         product, hardware or (when listed) gateway id do not match
//   ota.handler_not_allowed  handler is not in `allowed_handlers` (ota.handlers)
//   ota.too_large            an artifact's declared size exceeds `max_artifact_size`
//   ota.below_floor          version < max(floor, manifest.min_version); allow_downgrade
//                            cannot lower the floor
//   ota.already_installed    version == installed_version
//   ota.downgrade            version < installed_version and allow_downgrade is false
Expected<void> check_applicable(const Manifest& manifest, const GatewayFacts& gateway,
                                const std::optional<std::string>& installed_version,
                                const std::optional<std::string>& floor,
                                std::span<const std::string> allowed_handlers,
                                std::uint64_t max_artifact_size);

// The floor to commit once `manifest` is installed and healthy: the higher of `floor` and the
// manifest's min_version (a floor never goes down).
std::optional<std::string> next_floor(const Manifest& manifest,
                                      const std::optional<std::string>& floor);

}  // namespace lintel::ota
