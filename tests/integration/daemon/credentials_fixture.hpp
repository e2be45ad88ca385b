// The set-credentials end-to-end rig: linteld (default network namespace) with a `credentials:`
// section, the real lintel-helper under systemd-socket-activate writing into the 802.1X rig's
// directory, and the rig itself (freeradius + hostapd + wpa_supplicant in a namespace of its own,
// whose control socket linteld reaches through the file system). Bundles are made and encrypted
// to the gateway's certificate as the cloud would (credentials::encrypt_bundle).
#pragma once

#include <sys/stat.h>

#include "commands_fixture.hpp"
#include "credentials/bundle.hpp"
#include "credentials/envelope.hpp"
#include "support/dot1x_rig.hpp"

namespace lintel::test {

class CredentialsTest : public CommandsTest {
protected:
    void SetUp() override {
        CommandsTest::SetUp();
        if (HasFatalFailure()) return;
        if (auto why = Dot1xRig::unavailable(); !why.empty()) GTEST_SKIP() << why;
        auto rig = Dot1xRig::start(dir_->path() / "rig");
        ASSERT_TRUE(rig) << rig.error().message;
        rig_ = std::move(*rig);
        // wpa_supplicant starts with dot1x-a, its ctrl_interface line as the helper writes it.
        ASSERT_TRUE(rig_->write_supplicant_config(rig_->credentials(rig_->pki().dot1x_a, "dot1x-a"),
                                                  ctrl_dir(), std::string("root")));
        ASSERT_TRUE(rig_->start_supplicant());
        ASSERT_TRUE(wait_station("dot1x-a", 20s)) << rig_->logs();
        write_main_config(commands_yaml(100, "50/1m", "synced",
                                        "        - {action: set-credentials}\n"
                                        "        - {action: get-status}\n") +
                          "helper:\n  socket: " + helper_socket().string() +
                          "\n"
                          "credentials:\n"
                          "  interfaces:\n"
                          "    - {name: " +
                          rig_->supplicant_ifname() +
                          ", type: wired, config_file: " + rig_->supplicant_config().string() +
                          "}\n"
                          "  ctrl_dir: " +
                          ctrl_dir().string() +
                          "\n"
                          "  client_dir: " +
                          (dir_->path() / "wpa-client").string() +
                          "\n"
                          "  auth_deadline: 20s\n"
                          "  store_dir: " +
                          (dir_->path() / "sealed").string() + "\n");
        start_helper();
    }

    void TearDown() override {
        CommandsTest::TearDown();
        activator_.reset();
        rig_.reset();
    }

    fs::path ctrl_dir() const { return dir_->path() / "rig" / "ctrl"; }
    fs::path helper_socket() const { return dir_->path() / "helper.sock"; }

    void start_helper() {
        auto p = Process::spawn(
            ProcessOptions::of({"systemd-socket-activate", "--accept", "-l",
                                helper_socket().string(), LINTEL_HELPER_BINARY, "--allow-user",
                                "root", "--config-dir", etc().string(), "--wpa-config-dir",
                                rig_->dir().string(), "--wpa-ctrl-dir", ctrl_dir().string(),
                                "--wpa-group", "root"})
                .with_stdout(Output::null())
                .with_stderr(Output::append_to_file(dir_->path() / "helper.log")));
        ASSERT_TRUE(p) << p.error().message;
        activator_ = std::move(*p);
        ASSERT_TRUE(wait_until([&] { return fs::exists(helper_socket()); }, 5s));
    }

    // The authenticator (hostapd, fed by freeradius) says the port is authorized for `user`.
    bool wait_station(const std::string& user, std::chrono::milliseconds timeout) {
        const std::string want = "flags=[AUTHORIZED] dot1xAuthSessionUserName=" + user;
        return wait_until([&] { return rig_->authenticator_station() == want; }, timeout, 50ms);
    }

    // An EAP-TLS bundle for the rig's network with `client` (one of the rig PKI's).
    credentials::Bundle bundle(const CertKey& client, const std::string& identity,
                               const std::string& id) const {
        credentials::Bundle b;
        b.id = id;
        b.gateway = kGateway;
        b.issued_at_ms = now_ms() - 1000;
        b.type = credentials::BundleType::eap_tls;
        b.interface = credentials::Interface::wired;
        b.identity = identity;
        b.ca_cert = read_file(rig_->pki().ca_cert).value_or("");
        b.server_domain = "radius.lintel.test";
        b.client_cert = read_file(client.cert).value_or("");
        b.client_key = credentials::Secret(read_file(client.key).value_or(""));
        return b;
    }

    std::string envelope(const credentials::Bundle& b, const fs::path& recipient = {}) {
        auto cert = read_file(recipient.empty() ? pki_.gateway.cert : recipient);
        EXPECT_TRUE(cert);
        auto e = credentials::encrypt_bundle(b, cert.value_or(""));
        EXPECT_TRUE(e) << e.error().message;
        return e.value_or("");
    }

    std::optional<commands::CommandResult> set_credentials(
        const std::string& envelope, std::chrono::milliseconds timeout = 90s) {
        const auto before = results().size();
        auto c = command("set-credentials", {{"envelope", envelope}});
        last_command_id_ = c.id;
        CommandsTest::send(CommandsTest::sign(c, ops_));
        return result_for(c.id, timeout, before);
    }

    std::vector<nlohmann::json> events() const {
        std::vector<nlohmann::json> out;
        for (const auto& m : observer_->messages_on("lintel/v1/" + kGateway + "/credentials"))
            out.push_back(nlohmann::json::parse(m.payload));
        return out;
    }

    // get-status's credentials entry of the wired interface.
    nlohmann::json wired_status() {
        const auto before = results().size();
        auto c = command("get-status");
        CommandsTest::send(CommandsTest::sign(c, ops_));
        auto r = result_for(c.id, 10s, before);
        if (!r || !r->output.contains("credentials") || !r->output["credentials"].is_array()) {
            return nullptr;
        }
        for (const auto& e : r->output["credentials"]) {
            if (e.value("type", "") == "wired") return e;
        }
        return nullptr;
    }

    std::string config_text() const {
        return read_file(rig_->supplicant_config()).value_or("<missing>");
    }

    std::unique_ptr<Dot1xRig> rig_;
    std::optional<Process> activator_;
    std::string last_command_id_;
};

}  // namespace lintel::test
