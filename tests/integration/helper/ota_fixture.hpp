// The real lintel-helper with the real update-handler plugins (copied from the build into a
// root-owned plugin directory), a staging directory standing in for linteld's, and a private
// state directory; requests go through the socket like linteld's.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands/keys.hpp"
#include "helper_fixture.hpp"
#include "lintel/error.hpp"
#include "ota/manifest.hpp"

namespace lintel::test {

struct ProgramRun {
    std::string status;  // "exit 0", "signal 9 (Killed)", "hung", or why it did not start
    std::string out;
    std::string err;
};

// Runs `argv` to completion (at most `timeout`), stdout and stderr captured in `dir`.
ProgramRun run_program(const std::filesystem::path& dir, std::vector<std::string> argv,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60),
                       const std::map<std::string, std::string>& env = {});

// What the fixture's lintel.yaml says this gateway is.
inline constexpr std::string_view k_test_gateway = "gw-test";
inline constexpr std::string_view k_test_product = "lintel-test";
inline constexpr std::string_view k_test_hardware = "rev-t";
// The release keys it trusts: k_release_kid, and k_revoked_kid listed with revoked: true.
inline constexpr std::string_view k_release_kid = "rel-test";
inline constexpr std::string_view k_revoked_kid = "rel-old";

class OtaFixture : public HelperFixture {
protected:
    void SetUp() override;

    std::filesystem::path plugin_dir() const { return dir_ / "plugins"; }
    std::filesystem::path staging_dir() const { return dir_ / "staging"; }
    std::filesystem::path state_dir() const { return dir_ / "ota-state"; }
    std::filesystem::path config_dir() const { return dir_ / "etc"; }

    // start_helper() with the OTA directories, --config-dir, `settings` (NAME.KEY=VALUE each)
    // and `extra_args`.
    void start_ota_helper(const std::vector<std::string>& settings = {},
                          const std::vector<std::string>& extra_args = {});
    // The helper's command line start_ota_helper() uses, without the program itself (for running
    // the binary directly, e.g. --ota-recover).
    std::vector<std::string> ota_args(const std::vector<std::string>& settings = {}) const;

    // config_dir()/lintel.yaml: gateway.id k_test_gateway and an ota: section with the product,
    // hardware and release keys above, `handlers`, and `extra` lines appended inside ota: (each
    // "  key: value\n"). The helper reads it on every ota-install. SetUp writes the default.
    void write_ota_config(const std::string& handlers = "[deb, file, rauc, script]",
                          const std::string& extra = "");

    // The manifest the cloud would sign for these ota-install params: handler, component,
    // version, params and artifacts (name, sha256, size) copied, for this gateway, issued a
    // minute ago, expiring in an hour.
    static ota::Manifest manifest_for(const nlohmann::json& install_params);
    // `manifest` signed as `kid` with `key` (the compact JWS).
    static std::string sign(const ota::Manifest& manifest, std::string_view kid,
                            const commands::PrivateKey& key);
    // `install_params` with "manifest": manifest_for() them, changed by `edit` when given, signed
    // with the trusted release key. Every ota-install of the tests goes through here.
    nlohmann::json with_manifest(nlohmann::json install_params,
                                 const std::function<void(ota::Manifest&)>& edit = {}) const;

    commands::PrivateKey release_key_ =
        commands::PrivateKey::generate(commands::KeyType::ed25519).value();
    commands::PrivateKey revoked_key_ =
        commands::PrivateKey::generate(commands::KeyType::ed25519).value();

    // Writes `content` into the staging directory as `name`; the artifact entry naming it.
    nlohmann::json stage(const std::string& name, std::string_view content);
    // The artifact entry for a file already in the staging directory (hashed here).
    nlohmann::json artifact_for(const std::filesystem::path& path, const std::string& name);

    // One request through the socket; the result object or the helper's error.
    Expected<nlohmann::json> request(const std::string& action, const nlohmann::json& params,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(90));
    // {"handler":..,"component":..,"version":..} plus `extra`.
    static nlohmann::json params(const std::string& handler, const std::string& component,
                                 const std::string& version = "",
                                 const nlohmann::json& extra = nlohmann::json::object());
};

// "code: message" of a failed request, or "ok" (for EXPECT messages).
std::string describe(const Expected<nlohmann::json>& result);

}  // namespace lintel::test
