// OtaFixture: plugin, staging and state directories, staged artifacts, requests by socket.
#include "ota_fixture.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "helper/protocol.hpp"
#include "common/sha256.hpp"
#include "support/process.hpp"

namespace lintel::test {

namespace fs = std::filesystem;
using nlohmann::json;

ProgramRun run_program(const fs::path& dir, std::vector<std::string> argv,
                       std::chrono::milliseconds timeout,
                       const std::map<std::string, std::string>& env) {
    auto options = ProcessOptions::of(std::move(argv))
                       .with_stdout(Output::to_file(dir / "program.out"))
                       .with_stderr(Output::to_file(dir / "program.err"));
    for (const auto& [key, value] : env) options.with_env(key, value);
    auto p = Process::spawn(std::move(options));
    if (!p) return {p.error().message, "", ""};
    auto status = p->wait_exit(timeout);
    ProgramRun r;
    r.status = status ? status->describe() : "hung";
    r.out = read_file(dir / "program.out").value_or("");
    r.err = read_file(dir / "program.err").value_or("");
    return r;
}

void OtaFixture::SetUp() {
    // The helper loads only what root (or the user running it) could have written, from a
    // directory nobody else can write: a copy of the built plugins, 0755/0644.
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    fs::create_directories(plugin_dir());
    for (const auto& entry : fs::directory_iterator(LINTEL_PLUGIN_BUILD_DIR)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("ota-") || !name.ends_with(".so")) continue;
        fs::copy_file(entry.path(), plugin_dir() / name, fs::copy_options::overwrite_existing);
        ::chmod((plugin_dir() / name).c_str(), 0644);
    }
    ::chmod(plugin_dir().c_str(), 0755);
    fs::create_directories(staging_dir());
    make_admindir("0.1.0");
}

void OtaFixture::start_ota_helper(const std::vector<std::string>& settings) {
    std::vector<std::string> args = {"--plugin-dir",      plugin_dir().string(),
                                     "--ota-staging-dir", staging_dir().string(),
                                     "--ota-state-dir",   state_dir().string()};
    for (const auto& s : settings) args.insert(args.end(), {"--handler-setting", s});
    start_helper(args);
}

json OtaFixture::artifact_for(const fs::path& path, const std::string& name) {
    const std::string content = read_file(path).value_or("");
    return {{"name", name},
            {"path", path.string()},
            {"sha256", common::sha256_hex(content).value_or("")},
            {"size", content.size()}};
}

json OtaFixture::stage(const std::string& name, std::string_view content) {
    const fs::path path = staging_dir() / name;
    EXPECT_TRUE(write_file(path, content, 0644));
    return artifact_for(path, name);
}

Expected<json> OtaFixture::request(const std::string& action, const json& params,
                                   std::chrono::milliseconds timeout) {
    std::string response = exchange(helper::serialise_request(action, params), false, timeout);
    if (response.empty() || response.back() != '\n') {
        return make_error("test.no_response", "no complete response to " + action);
    }
    response.pop_back();
    return helper::parse_response(response);
}

json OtaFixture::params(const std::string& handler, const std::string& component,
                        const std::string& version, const json& extra) {
    json p = {{"handler", handler}, {"component", component}};
    if (!version.empty()) p["version"] = version;
    for (const auto& [key, value] : extra.items()) p[key] = value;
    return p;
}

std::string describe(const Expected<json>& result) {
    if (result) return "ok: " + result->dump();
    return result.error().code + ": " + result.error().message;
}

}  // namespace lintel::test
