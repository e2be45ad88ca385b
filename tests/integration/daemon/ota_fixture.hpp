// The OTA end-to-end rig: linteld with an `ota:` section, the real lintel-helper (under
// systemd-socket-activate) with the real update-handler plugins, a faulty HTTPS file server for
// the artifacts, release keys made at test time, and the cloud's view of OTA events.
#pragma once

#include <sys/stat.h>

#include "commands_fixture.hpp"
#include "common/sha256.hpp"
#include "ota/manifest.hpp"
#include "support/https_file_server.hpp"

namespace lintel::test {

class OtaTest : public CommandsTest {
protected:
    static constexpr const char* kComponent = "meter-fw";

    void SetUp() override {
        CommandsTest::SetUp();
        if (HasFatalFailure()) return;
        // The helper loads plugins only from a directory nobody else can write.
        ASSERT_EQ(::chmod(dir_->path().c_str(), 0755), 0);
        fs::create_directories(plugin_dir());
        for (const auto& entry : fs::directory_iterator(LINTEL_PLUGIN_BUILD_DIR)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with("ota-") || !name.ends_with(".so")) continue;
            fs::copy_file(entry.path(), plugin_dir() / name);
            ::chmod((plugin_dir() / name).c_str(), 0644);
        }
        fs::create_directories(firmware_dir());
        ASSERT_TRUE(write_file(firmware(), "firmware 1.0\n", 0644));
        std::ofstream(etc() / "rel-1.pub") << release_.public_key().to_pem();
        std::ofstream(etc() / "rel-0.pub") << retired_.public_key().to_pem();

        auto server = HttpsFileServer::start({pki_.server.cert, pki_.server.key, {}, "127.0.0.1"});
        ASSERT_TRUE(server) << server.error().message;
        server_ = std::move(*server);
        write_config();
        start_helper();
    }

    void TearDown() override {
        CommandsTest::TearDown();
        activator_.reset();
        if (tmpfs_mounted_) ::system(("umount " + staging_dir().string()).c_str());
    }

    fs::path plugin_dir() const { return dir_->path() / "plugins"; }
    fs::path staging_dir() const { return dir_->path() / "ota-staging"; }
    fs::path helper_state() const { return dir_->path() / "helper-state"; }
    fs::path firmware_dir() const { return dir_->path() / "firmware"; }
    fs::path firmware() const { return firmware_dir() / "meter.bin"; }
    fs::path helper_socket() const { return dir_->path() / "helper.sock"; }

    void write_config(const std::string& ota_extra = "") {
        write_main_config(commands_yaml(100, "50/1m", "synced",
                                        "        - {action: ota-update}\n"
                                        "        - {action: ota-abort}\n"
                                        "        - {action: ota-status}\n") +
                          "helper:\n  socket: " + helper_socket().string() +
                          "\n"
                          "ota:\n"
                          "  product: lintel-test\n"
                          "  hardware: rev-b\n"
                          "  release_keys:\n"
                          "    - {kid: rel-1, public_key: " +
                          (etc() / "rel-1.pub").string() +
                          "}\n"
                          "    - {kid: rel-0, public_key: " +
                          (etc() / "rel-0.pub").string() +
                          ", revoked: true}\n"
                          "  handlers: [file, script]\n"
                          "  max_artifact_size: 8MiB\n"
                          "  staging_dir: " +
                          staging_dir().string() +
                          "\n"
                          "  download:\n"
                          "    ca: " +
                          pki_.ca_cert.string() +
                          "\n"
                          "    timeout: 5s\n"
                          "  health_deadline: 10s\n" +
                          ota_extra);
    }

    void start_helper() {
        auto p = Process::spawn(
            ProcessOptions::of({"systemd-socket-activate", "--accept", "-l",
                                helper_socket().string(), LINTEL_HELPER_BINARY, "--allow-user",
                                "root", "--config-dir", etc().string(), "--plugin-dir",
                                plugin_dir().string(), "--ota-staging-dir", staging_dir().string(),
                                "--ota-state-dir", helper_state().string(), "--handler-setting",
                                "file.allowed_dirs=" + firmware_dir().string()})
                .with_stdout(Output::null())
                .with_stderr(Output::append_to_file(dir_->path() / "helper.log")));
        ASSERT_TRUE(p) << p.error().message;
        activator_ = std::move(*p);
        ASSERT_TRUE(wait_until([&] { return fs::exists(helper_socket()); }, 5s));
    }

    // A manifest for the file handler: `content` served at /<version>.bin, installed over
    // firmware(). Tests change what they need before signing.
    ota::Manifest manifest(const std::string& version, const std::string& content) {
        server_->put("/" + version + ".bin", content);
        ota::Manifest m;
        m.id = "meter-fw-" + version;
        m.component = kComponent;
        m.version = version;
        m.handler = "file";
        m.target.product = "lintel-test";
        m.target.hardware = {"rev-a", "rev-b"};
        m.artifacts = {ota::Artifact{"meter.bin", server_->url("/" + version + ".bin"),
                                     common::sha256_hex(content).value_or(""), content.size()}};
        m.params = {{"destination", firmware().string()}};
        m.issued_at_ms = now_ms() - 1000;
        m.expires_at_ms = now_ms() + 3'600'000;
        return m;
    }

    std::string sign(const ota::Manifest& m, const std::string& kid = "rel-1") {
        const commands::PrivateKey& key = kid == "rel-0" ? retired_ : release_;
        auto jws = ota::sign_manifest(m, kid, key);
        EXPECT_TRUE(jws) << jws.error().message;
        return jws.value_or("");
    }

    // Sends ota-update and returns its verified result.
    std::optional<commands::CommandResult> update(const std::string& jws,
                                                  std::string* id = nullptr) {
        const auto before = results().size();
        auto c = command("ota-update", {{"manifest", jws}});
        if (id != nullptr) *id = c.id;
        CommandsTest::send(CommandsTest::sign(c, ops_));
        return result_for(c.id, 15s, before);
    }

    std::optional<commands::CommandResult> simple(const std::string& action,
                                                  nlohmann::json args = nlohmann::json::object()) {
        const auto before = results().size();
        auto c = command(action, std::move(args));
        CommandsTest::send(CommandsTest::sign(c, ops_));
        return result_for(c.id, 15s, before);
    }

    std::vector<nlohmann::json> events() const {
        std::vector<nlohmann::json> out;
        for (const auto& m : observer_->messages_on("lintel/v1/" + kGateway + "/ota"))
            out.push_back(nlohmann::json::parse(m.payload));
        return out;
    }

    // The final event of `release`, waiting for it.
    std::optional<nlohmann::json> final_event(const std::string& release,
                                              std::chrono::milliseconds timeout = 60s) {
        std::optional<nlohmann::json> found;
        wait_until(
            [&] {
                for (const auto& e : events()) {
                    if (e.value("release_id", "") == release && e.value("final", false)) found = e;
                }
                return found.has_value();
            },
            timeout, 50ms);
        return found;
    }

    std::vector<std::string> states_of(const std::string& release) const {
        std::vector<std::string> out;
        for (const auto& e : events()) {
            if (e.value("release_id", "") != release || e.contains("bytes")) continue;
            const std::string s = e.at("state");
            if (out.empty() || out.back() != s) out.push_back(s);
        }
        return out;
    }

    std::string firmware_content() const { return read_file(firmware()).value_or("<missing>"); }

    // Staging directories of releases that are still there.
    bool staging_empty() const {
        if (!fs::exists(staging_dir())) return true;
        for (const auto& e : fs::directory_iterator(staging_dir())) {
            if (e.is_directory()) return false;
        }
        return true;
    }

    // The log line of a state change of the current update ("-> installing").
    bool wait_state_logged(const std::string& state, std::chrono::milliseconds timeout = 30s,
                           std::size_t after = 0) {
        return wait_until([&] { return log_count("-> " + state) > after; }, timeout, 20ms);
    }

    commands::PrivateKey release_ = *commands::PrivateKey::generate(commands::KeyType::ed25519);
    commands::PrivateKey retired_ = *commands::PrivateKey::generate(commands::KeyType::p256);
    std::unique_ptr<HttpsFileServer> server_;
    std::optional<Process> activator_;
    bool tmpfs_mounted_ = false;
};

}  // namespace lintel::test
