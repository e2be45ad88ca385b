// The `ota:` section: which release keys this gateway trusts for OTA manifests (several for
// rotation, each revocable), what this gateway is (product, hardware), which update handlers may
// run and how large an artifact may be; plus the download, staging and health settings the
// update state machine uses. Documented in docs/ota.md and lintel.yaml(5).
// Also loadable alone from lintel.yaml (load_ota_config): lintel-helper re-verifies manifests
// with it and reads nothing else of linteld's configuration.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/config_node.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::core {

// One release-signing public key (Ed25519 or P-256; the algorithm comes from the key itself).
struct ReleaseKeySetting {
    std::string kid;  // the manifest JWS "kid"
    std::filesystem::path public_key_file;
    bool revoked = false;  // kept listed so that its manifests are refused as revoked, not unknown
    sdk::Mark mark;        // for errors found when the key file is loaded

    bool operator==(const ReleaseKeySetting& o) const {
        return kid == o.kid && public_key_file == o.public_key_file && revoked == o.revoked;
    }
};

struct OtaDownloadSettings {
    std::optional<std::filesystem::path> ca_file;      // default: the system's CA store
    std::optional<std::filesystem::path> client_cert;  // mutual TLS to the artifact server
    std::optional<std::filesystem::path> client_key;   // (both or neither)
    std::uint64_t bandwidth_limit = 0;                 // bytes per second; 0: unlimited
    std::chrono::milliseconds timeout{30'000};         // idle limit per step (download.hpp)
    bool operator==(const OtaDownloadSettings&) const = default;
};

inline constexpr std::uint64_t k_default_max_artifact_size = 1ULL << 30;  // 1 GiB

struct OtaSettings {
    bool enabled = false;  // true when the section is present (and not enabled: false)
    std::string product;   // matched against a manifest's target.product
    std::string hardware;  // matched against target.hardware
    std::vector<ReleaseKeySetting> release_keys;
    std::uint64_t max_artifact_size = k_default_max_artifact_size;
    std::vector<std::string> handlers{"deb"};  // update handlers a manifest may name
    std::filesystem::path staging_dir = "/var/lib/lintel/ota/staging";
    OtaDownloadSettings download;
    std::chrono::milliseconds health_deadline{600'000};  // a new version must prove itself by then

    bool operator==(const OtaSettings&) const = default;
};

// The absolute path at `key` (nullopt when absent, or not absolute: then the error is reported at
// the key). Shared by the sections that name files (ota:, credentials:).
std::optional<std::filesystem::path> absolute_path_value(sdk::MapReader& r, std::string_view key,
                                                         bool required);

// Parses the `ota:` section (node may be null: OTA disabled). Errors name file:line:col and the
// key path ("ota.release_keys[1].kid").
void parse_ota(const sdk::ConfigNode* node, OtaSettings& out, sdk::ConfigErrors& errors);

// What lintel-helper needs from lintel.yaml: gateway.id and the `ota:` section, nothing else
// (other sections are not looked at, so their mistakes are linteld's to report).
struct OtaFileConfig {
    std::string gateway_id;
    OtaSettings ota;
};

// nullopt with every error in `errors` when the file cannot be read, is not YAML, has no valid
// gateway.id or has a mistake in `ota:`.
std::optional<OtaFileConfig> load_ota_config(const std::filesystem::path& main_file,
                                             sdk::ConfigErrors& errors);

}  // namespace lintel::core
