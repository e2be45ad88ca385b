// The OTA release manifest: the payload of a JWS of typ lintel-manifest+jws, parsed strictly into
// typed fields, and built and signed (lintel-sign manifest). Whether it is signed by a trusted
// key and applies to this gateway is decided by manifest_verifier.hpp, not here.
// The format is documented in docs/ota.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::ota {

inline constexpr int k_manifest_format = 1;  // the payload's "v"
// Bounds: the whole JWS text, and what one manifest may list.
inline constexpr std::size_t k_max_manifest_bytes = 64 * 1024;
inline constexpr std::size_t k_max_artifacts = 16;
inline constexpr std::size_t k_max_hardware = 64;
inline constexpr std::size_t k_max_gateways = 1000;
inline constexpr std::size_t k_max_params = 64;
inline constexpr std::size_t k_max_param_value_bytes = 4096;
inline constexpr std::size_t k_max_url_length = 2048;
// What a manifest may declare at all (1 TiB); the gateway's own bound is ota.max_artifact_size.
inline constexpr std::uint64_t k_max_declared_artifact_size = 1ULL << 40;

struct Target {
    std::string product;                               // this product line only
    std::vector<std::string> hardware;                 // any of these hardware ids
    std::optional<std::vector<std::string>> gateways;  // when set: only these gateway ids
    bool operator==(const Target&) const = default;
};

struct Artifact {
    std::string name;        // file name in the staging directory: 1-128 of A-Z a-z 0-9 . _ - + ~
    std::string url;         // https:// only
    std::string sha256;      // 64 lower-case hex digits
    std::uint64_t size = 0;  // bytes, >= 1
    bool operator==(const Artifact&) const = default;
};

struct Manifest {
    // From the protected header (set by verify_manifest; ignored by manifest_payload).
    std::string kid;
    commands::JwsAlg alg = commands::JwsAlg::eddsa;
    // From the payload.
    std::string id;         // release id: 1-64 of A-Z a-z 0-9 . _ -
    std::string component;  // what is updated: 1-64 of a-z 0-9 . _ -, e.g. "lintel"
    std::string version;    // see version.hpp
    std::string handler;    // update handler: 1-64 of a-z 0-9 -, e.g. "deb"
    Target target;
    std::vector<Artifact> artifacts;            // 1..k_max_artifacts, names unique
    std::optional<std::string> min_version;     // anti-rollback floor this release sets; <= version
    bool allow_downgrade = false;               // only a release key can allow a downgrade
    std::map<std::string, std::string> params;  // handler parameters, string values
    std::int64_t issued_at_ms = 0;              // Unix ms
    std::optional<std::int64_t> expires_at_ms;  // Unix ms, > issued_at_ms

    bool operator==(const Manifest&) const = default;
};

// The decoded payload bytes of a manifest JWS. Errors are all ota.malformed, each naming the
// field's path: "artifacts[1].sha256: must be 64 lower-case hex digits". Rules: a UTF-8 JSON
// object without duplicate keys or unknown keys, at most 3 levels deep; every required key
// present (v, id, component, version, handler, target, artifacts, issued_at).
Expected<Manifest> parse_manifest_payload(std::string_view payload);

// The payload JSON of `manifest` (keys in the documented order, compact). Refuses
// (ota.bad_input) whatever parse_manifest_payload would refuse, with the same message.
Expected<std::string> manifest_payload(const Manifest& manifest);

// manifest_payload + make_jws(JwsType::manifest, kid), then checked with parse_jws, verify_jws
// and parse_manifest_payload, so what is returned is a manifest a gateway can accept.
Expected<std::string> sign_manifest(const Manifest& manifest, std::string_view kid,
                                    const commands::PrivateKey& key);

// Field rules, shared with lintel-sign's option checks.
bool is_component_name(std::string_view text);  // 1-64 of a-z 0-9 . _ -, not starting . or -
bool is_artifact_name(std::string_view text);   // 1-128 of A-Z a-z 0-9 . _ - + ~, not . or -
bool is_param_name(std::string_view text);      // 1-64 of a-z 0-9 _ . -
bool is_sha256_hex(std::string_view text);      // 64 of 0-9 a-f
// Why `url` is not an https URL we fetch, or nullopt.
std::optional<std::string> url_problem(std::string_view url);

}  // namespace lintel::ota
