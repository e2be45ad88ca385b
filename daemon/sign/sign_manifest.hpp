// lintel-sign manifest: one signed OTA release manifest (docs/ota.md), with each artifact's size
// and SHA-256 computed from the local file that will be published at its URL.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::sign {

struct ManifestOptions {
    std::filesystem::path key;  // release private key PEM (mode 0600)
    std::string kid;
    std::string component;
    std::string version;
    std::string handler;
    std::string product;
    std::vector<std::string> hardware;   // at least one
    std::vector<std::string> gateways;   // empty: every gateway of the product and hardware
    std::vector<std::string> artifacts;  // NAME=PATH, in manifest order
    std::vector<std::string> urls;       // NAME=URL, one per artifact
    std::optional<std::string> min_version;
    bool allow_downgrade = false;
    std::vector<std::string> params;           // K=V
    std::optional<std::string> expires_in;     // "30d"; default: never expires
    std::optional<std::string> id;             // default: <component>-<version>
    std::optional<std::int64_t> issued_at_ms;  // default: `now`
    std::optional<std::filesystem::path> out;  // default: the JWS on stdout
};

// The JWS plus "\n", or with `out` a one-line summary after writing the JWS there (a new file,
// mode 0644; an existing one is never overwritten). Usage mistakes have code sign.usage; key
// and file problems keep their own codes.
Expected<std::string> sign_manifest(const ManifestOptions& options,
                                    std::chrono::system_clock::time_point now);

}  // namespace lintel::sign
