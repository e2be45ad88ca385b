// The real lintel-helper with the real update-handler plugins (copied from the build into a
// root-owned plugin directory), a staging directory standing in for linteld's, and a private
// state directory; requests go through the socket like linteld's.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helper_fixture.hpp"
#include "lintel/error.hpp"

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

class OtaFixture : public HelperFixture {
protected:
    void SetUp() override;

    std::filesystem::path plugin_dir() const { return dir_ / "plugins"; }
    std::filesystem::path staging_dir() const { return dir_ / "staging"; }
    std::filesystem::path state_dir() const { return dir_ / "ota-state"; }

    // start_helper() with the OTA directories and `settings` (NAME.KEY=VALUE each).
    void start_ota_helper(const std::vector<std::string>& settings = {});

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
