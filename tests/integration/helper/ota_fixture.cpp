// OtaFixture: plugin, staging and state directories, staged artifacts, requests by socket.
#include "ota_fixture.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/sha256.hpp"
#include "helper/ota_manifest_check.hpp"
#include "helper/protocol.hpp"
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
    // Release keys made at test time; the public halves where lintel.yaml names them.
    fs::create_directories(config_dir() / "ota");
    ASSERT_TRUE(write_file(config_dir() / "ota" / "rel-test.pub",
                           release_key_.public_key().to_pem(), 0644));
    ASSERT_TRUE(
        write_file(config_dir() / "ota" / "rel-old.pub", revoked_key_.public_key().to_pem(), 0644));
    write_ota_config();
}

void OtaFixture::write_ota_config(const std::string& handlers, const std::string& extra) {
    const std::string keys = (config_dir() / "ota").string();
    ASSERT_TRUE(write_file(
        config_dir() / "lintel.yaml",
        "gateway:\n  id: " + std::string(k_test_gateway) +
            "\nuplink:\n  not: read by the helper\nota:\n  product: " +
            std::string(k_test_product) + "\n  hardware: " + std::string(k_test_hardware) +
            "\n  release_keys:\n    - {kid: " + std::string(k_release_kid) +
            ", public_key: " + keys + "/rel-test.pub}\n    - {kid: " + std::string(k_revoked_kid) +
            ", public_key: " + keys + "/rel-old.pub, revoked: true}\n  handlers: " + handlers +
            "\n" + extra,
        0644));
}

std::vector<std::string> OtaFixture::ota_args(const std::vector<std::string>& settings) const {
    std::vector<std::string> args = {
        "--plugin-dir",    plugin_dir().string(), "--ota-staging-dir", staging_dir().string(),
        "--ota-state-dir", state_dir().string(),  "--config-dir",      config_dir().string()};
    for (const auto& s : settings) args.insert(args.end(), {"--handler-setting", s});
    return args;
}

void OtaFixture::start_ota_helper(const std::vector<std::string>& settings,
                                  const std::vector<std::string>& extra_args) {
    std::vector<std::string> args = ota_args(settings);
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    start_helper(args);
}

ota::Manifest OtaFixture::manifest_for(const json& install_params) {
    ota::Manifest m;
    m.component = install_params.at("component").get<std::string>();
    m.version = install_params.at("version").get<std::string>();
    m.handler = install_params.at("handler").get<std::string>();
    m.id = m.component + "-" + m.version;
    for (char& c : m.id) {
        if (c == ':' || c == '~' || c == '+') c = '_';
    }
    m.target.product = k_test_product;
    m.target.hardware = {std::string(k_test_hardware), "rev-other"};
    for (const auto& a : install_params.at("artifacts")) {
        const std::string name = a.at("name").get<std::string>();
        m.artifacts.push_back(ota::Artifact{name, "https://updates.example.invalid/" + name,
                                            a.at("sha256").get<std::string>(),
                                            a.at("size").get<std::uint64_t>()});
    }
    if (auto p = install_params.find("params"); p != install_params.end()) {
        for (const auto& [key, value] : p->items()) m.params[key] = value.get<std::string>();
    }
    m.issued_at_ms = helper::unix_now_ms() - 60'000;
    m.expires_at_ms = helper::unix_now_ms() + 3'600'000;
    return m;
}

std::string OtaFixture::sign(const ota::Manifest& manifest, std::string_view kid,
                             const commands::PrivateKey& key) {
    auto jws = ota::sign_manifest(manifest, kid, key);
    EXPECT_TRUE(jws) << jws.error().message;
    return jws.value_or("");
}

json OtaFixture::with_manifest(json install_params,
                               const std::function<void(ota::Manifest&)>& edit) const {
    ota::Manifest m = manifest_for(install_params);
    if (edit) edit(m);
    install_params["manifest"] = sign(m, k_release_kid, release_key_);
    return install_params;
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
