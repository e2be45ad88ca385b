// verify_manifest and check_applicable: the order of the checks is the security argument, so
// each reads top to bottom.
#include "ota/manifest_verifier.hpp"

#include <algorithm>

#include "commands/jws.hpp"
#include "commands/reason_codes.hpp"
#include "commands/strict_json.hpp"
#include "ota/reason_codes.hpp"
#include "ota/version.hpp"

namespace lintel::ota {
namespace {

// The JWS layer reports cmd.* codes; an OTA refusal speaks ota.* only.
std::unexpected<Error> from_jws(const Error& e) {
    std::string_view code = reason::malformed;  // cmd.malformed, cmd.too_large
    if (e.code == commands::reason::unsupported_alg) code = reason::unsupported_alg;
    if (e.code == commands::reason::bad_signature) code = reason::bad_signature;
    return make_error(std::string(code), e.message);
}

std::unexpected<Error> refuse(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

std::string in_quotes(std::string_view text) { return "\"" + commands::printable(text) + "\""; }

bool listed(const std::vector<std::string>& list, std::string_view item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Expected<Manifest> verify_manifest(std::string_view jws_text, const ReleaseKeys& keys,
                                   std::int64_t now_ms) {
    auto jws = commands::parse_jws(jws_text, commands::JwsType::manifest, k_max_manifest_bytes);
    if (!jws) return from_jws(jws.error());
    const ReleaseKey* key = keys.find(jws->kid);
    if (key == nullptr) {
        return refuse(reason::unknown_key,
                      "release key " + in_quotes(jws->kid) + " is not in ota.release_keys");
    }
    if (key->revoked) {
        return refuse(reason::revoked_key, "release key " + in_quotes(jws->kid) + " is revoked");
    }
    if (auto verified = commands::verify_jws(*jws, key->key); !verified) {
        return from_jws(verified.error());
    }
    // Only signed bytes reach the payload parser.
    auto manifest = parse_manifest_payload(jws->payload);
    if (!manifest) return std::unexpected(manifest.error());
    if (manifest->expires_at_ms && *manifest->expires_at_ms <= now_ms) {
        return refuse(reason::expired,
                      "manifest " + in_quotes(manifest->id) + " expired " +
                          std::to_string((now_ms - *manifest->expires_at_ms) / 1000) + " s ago");
    }
    manifest->kid = jws->kid;
    manifest->alg = jws->alg;
    return manifest;
}

Expected<void> check_applicable(const Manifest& m, const GatewayFacts& gateway,
                                const std::optional<std::string>& installed_version,
                                const std::optional<std::string>& floor,
                                std::span<const std::string> allowed_handlers,
                                std::uint64_t max_artifact_size) {
    const std::string what =
        "release " + in_quotes(m.id) + " (" + m.component + " " + m.version + ")";
    // target: not for us, however well signed
    if (m.target.product != gateway.product) {
        return refuse(reason::wrong_target, what + " is for product " +
                                                in_quotes(m.target.product) + ", this gateway is " +
                                                in_quotes(gateway.product));
    }
    if (!listed(m.target.hardware, gateway.hardware)) {
        return refuse(reason::wrong_target, what + " does not list hardware " +
                                                in_quotes(gateway.hardware) +
                                                " in target.hardware");
    }
    if (m.target.gateways && !listed(*m.target.gateways, gateway.gateway_id)) {
        return refuse(reason::wrong_target, what + " does not list gateway " +
                                                in_quotes(gateway.gateway_id) +
                                                " in target.gateways");
    }
    // local policy
    if (std::find(allowed_handlers.begin(), allowed_handlers.end(), m.handler) ==
        allowed_handlers.end()) {
        return refuse(reason::handler_not_allowed,
                      what + " needs update handler " + in_quotes(m.handler) +
                          ", which ota.handlers does not allow on this gateway");
    }
    for (const auto& a : m.artifacts) {
        if (a.size > max_artifact_size) {
            return refuse(reason::too_large, what + ": artifact " + in_quotes(a.name) + " is " +
                                                 std::to_string(a.size) +
                                                 " bytes; ota.max_artifact_size is " +
                                                 std::to_string(max_artifact_size));
        }
    }
    // versions: the floor first (nothing lowers it), then the installed version
    std::optional<std::string> effective_floor = next_floor(m, floor);
    if (effective_floor && compare_versions(m.version, *effective_floor) < 0) {
        return refuse(reason::below_floor,
                      what + " is below the anti-rollback floor " + *effective_floor +
                          (m.allow_downgrade ? " (allow_downgrade cannot go below it)" : ""));
    }
    if (installed_version) {
        const int c = compare_versions(m.version, *installed_version);
        if (c == 0) {
            return refuse(reason::already_installed,
                          what + ": version " + *installed_version + " is already installed");
        }
        if (c < 0 && !m.allow_downgrade) {
            return refuse(reason::downgrade, what + " is older than the installed " +
                                                 *installed_version +
                                                 " and the manifest does not allow a downgrade");
        }
    }
    return {};
}

std::optional<std::string> next_floor(const Manifest& manifest,
                                      const std::optional<std::string>& floor) {
    if (!manifest.min_version) return floor;
    if (!floor || compare_versions(*manifest.min_version, *floor) > 0) return manifest.min_version;
    return floor;
}

}  // namespace lintel::ota
