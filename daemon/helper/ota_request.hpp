// The params of lintel-helper's ota-* actions, parsed strictly (no I/O: the fuzzer builds it).
// docs/helper.md, "OTA actions", documents every key.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"

namespace lintel::helper {

enum class OtaStep { installed_version, install, commit, rollback };

// The action name of a step ("ota-install", ...).
std::string_view action_name(OtaStep step);

// The bounds of a signed manifest (daemon/ota/manifest.hpp; ota_manifest_check.cpp asserts they
// agree): every manifest a gateway accepts can be passed on in a request.
inline constexpr std::size_t k_max_artifacts = 16;
inline constexpr std::size_t k_max_artifact_name = 128;
inline constexpr std::size_t k_max_handler_params = 64;
inline constexpr std::size_t k_max_param_value = 4096;
inline constexpr std::size_t k_max_manifest_param = 64 * 1024;  // the compact JWS text
inline constexpr std::uint64_t k_max_artifact_bytes = 16ULL * 1024 * 1024 * 1024;  // 16 GiB
inline constexpr std::chrono::seconds k_max_ota_timeout{1800};

struct OtaArtifactParam {
    std::string name;
    std::string path;  // as linteld named it; checked against the staging dir later
    std::string sha256;
    std::uint64_t size = 0;
};

struct OtaParams {
    std::string handler;
    std::string component;
    std::string version;                      // empty for installed-version
    std::vector<OtaArtifactParam> artifacts;  // install only
    std::map<std::string, std::string> params;
    std::chrono::seconds timeout{0};
    std::string manifest;  // install only: the signed manifest (compact JWS) as the cloud sent it
};

// The default deadline of a step when the request names none.
std::chrono::seconds default_timeout(OtaStep step);

// helper.bad_params, naming the key, for anything but: "handler" ([a-z0-9_-]{1,32}),
// "component" ([a-z0-9][a-z0-9+._-]{0,63}), "version" (install/commit/rollback only;
// [A-Za-z0-9.+~:_-]{1,128}), "artifacts" (install only, 1 to 16 objects of exactly name
// [A-Za-z0-9._+~-]{1,128} (unique), path (absolute), sha256 (64 lower-case hex digits), size
// (0 to 16 GiB)), "params" (optional; at most 64 string values up to 4096 bytes, keys
// [a-z0-9_.-]{1,64}), "timeout_s" (optional; 1 to 1800), "manifest" (install only, required; a
// string of 1 to 65536 bytes: its content is checked by the signature check, not here).
Expected<OtaParams> parse_ota_params(const nlohmann::json& params, OtaStep step);

}  // namespace lintel::helper
