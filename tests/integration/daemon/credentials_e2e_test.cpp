// set-credentials end to end: an EAP-TLS bundle encrypted to the gateway, in a signed command
// through mosquitto, applied by linteld through the real lintel-helper and wpa_supplicant, judged
// by hostapd and freeradius. A bundle that does not authenticate is rolled back to the previous
// credentials; bundles for someone else, or changed on the way, are refused with nothing written.
#include "credentials_fixture.hpp"

#include <sys/stat.h>

#include <cstdio>

#include "commands/base64url.hpp"

namespace lintel::test {
namespace {

void figure(const char* name, std::int64_t ms) {
    std::printf("[ figure ] %s=%lld ms\n", name, static_cast<long long>(ms));
}

TEST_F(CredentialsTest, AnEncryptedEapTlsBundleEndsAuthorizedWithTheNewIdentity) {
    start_and_wait_for_commands();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = set_credentials(envelope(bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-b-1")));
    ASSERT_TRUE(r) << daemon_log();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - t0);
    ASSERT_EQ(r->status, commands::ResultStatus::ok) << r->output.dump() << "\n" << rig_->logs();
    figure("set_credentials_to_result", took.count());
    figure("set_credentials_reported_elapsed", r->output.at("elapsed_ms").get<std::int64_t>());
    EXPECT_EQ(r->output.at("bundle_id"), "cred-b-1");
    EXPECT_EQ(r->output.at("state"), "authorized");

    // The other side: hostapd authorized the port for dot1x-b, freeradius logged it.
    EXPECT_TRUE(wait_station("dot1x-b", 5s)) << rig_->authenticator_station();
    EXPECT_TRUE(rig_->wait_for_radius_log("Login OK: [dot1x-b]", 5s)) << rig_->radius_log();

    // The file: root's, 0600, naming the new identity and PEMs in a 0700 directory; the previous
    // (dot1x-a) file kept beside it.
    struct stat st {};
    ASSERT_EQ(::stat(rig_->supplicant_config().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_uid, 0u);
    const std::string text = config_text();
    EXPECT_NE(text.find("identity=\"dot1x-b\""), std::string::npos) << text;
    EXPECT_NE(text.find("GROUP=root"), std::string::npos) << text;
    const fs::path certs = rig_->supplicant_config().string() + ".d";
    ASSERT_EQ(::stat(certs.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    for (const auto& e : fs::directory_iterator(certs)) {
        ASSERT_EQ(::stat(e.path().c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0600u) << e.path();
    }
    auto previous = read_file(rig_->supplicant_config().string() + ".previous");
    ASSERT_TRUE(previous);
    EXPECT_NE(previous->find("dot1x-a"), std::string::npos);

    // Sealed at rest, 0600 in a 0700 directory.
    ASSERT_EQ(::stat((dir_->path() / "sealed" / "current.sealed").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    // Status and events say so, with metadata only.
    auto s = wired_status();
    ASSERT_TRUE(s.is_object()) << daemon_log();
    EXPECT_EQ(s.at("state"), "authorized");
    EXPECT_EQ(s.at("bundle_id"), "cred-b-1");
    EXPECT_EQ(s.at("identity"), "dot1x-b");
    EXPECT_GT(s.at("client_cert_not_after").get<std::int64_t>(), now_ms());
    EXPECT_EQ(s.at("last_result").at("outcome"), "ok");
    // The retained status message carries the same section.
    EXPECT_TRUE(wait_until(
        [&] {
            for (const auto& m : observer_->messages_on(status_topic())) {
                auto doc = nlohmann::json::parse(m.payload, nullptr, false);
                if (!doc.is_object() || !doc.contains("credentials")) continue;
                for (const auto& e : doc["credentials"]) {
                    // bundle_id is null until a bundle is known: compare, do not convert.
                    if (e.contains("bundle_id") && e.at("bundle_id") == "cred-b-1" &&
                        e.value("state", "") == "authorized")
                        return true;
                }
            }
            return false;
        },
        10s));
    ASSERT_TRUE(wait_until(
        [&] {
            for (const auto& e : events()) {
                if (e.value("event", "") == "applied" && e.value("bundle_id", "") == "cred-b-1")
                    return true;
            }
            return false;
        },
        10s));
    // No secret anywhere the operator or the cloud can read.
    const std::string key = read_file(rig_->pki().dot1x_b.key).value_or("");
    const std::string key_line = key.substr(key.find('\n') + 1, 40);
    for (const std::string& seen : {daemon_log(), s.dump(), r->output.dump()}) {
        EXPECT_EQ(seen.find(key_line), std::string::npos);
    }
    for (const auto& e : events()) EXPECT_EQ(e.dump().find(key_line), std::string::npos);
}

TEST_F(CredentialsTest, ARevokedCertificateIsRolledBackToThePreviousCredentials) {
    start_and_wait_for_commands();
    auto first = set_credentials(envelope(bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-b-2")));
    ASSERT_TRUE(first) << daemon_log();
    ASSERT_EQ(first->status, commands::ResultStatus::ok) << first->output.dump();
    const std::string good = config_text();

    const auto t0 = std::chrono::steady_clock::now();
    auto r = set_credentials(
        envelope(bundle(rig_->pki().dot1x_revoked, "dot1x-revoked", "cred-revoked-1")));
    ASSERT_TRUE(r) << daemon_log();
    figure("revoked_to_rolled_back_result", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - t0)
                                                .count());
    EXPECT_EQ(r->status, commands::ResultStatus::failed);
    EXPECT_EQ(r->reason, "cred.rolled_back") << r->output.dump() << "\n" << daemon_log();
    EXPECT_EQ(r->output.at("cause"), "wpa.auth_failed") << r->output.dump();
    EXPECT_EQ(r->output.at("rolled_back"), true);
    figure("rollback_ms", r->output.at("rollback_ms").get<std::int64_t>());

    // RADIUS refused the revoked certificate; the port is authorized for dot1x-b again.
    EXPECT_TRUE(rig_->wait_for_radius_log("certificate revoked", 5s)) << rig_->radius_log();
    EXPECT_TRUE(wait_station("dot1x-b", 10s)) << rig_->authenticator_station();
    EXPECT_EQ(config_text(), good);

    auto s = wired_status();
    ASSERT_TRUE(s.is_object());
    EXPECT_EQ(s.at("state"), "authorized");
    EXPECT_EQ(s.at("bundle_id"), "cred-b-2");
    EXPECT_EQ(s.at("last_result").at("reason"), "cred.rolled_back");
    bool failed = false, rolled_back = false;
    ASSERT_TRUE(wait_until(
        [&] {
            for (const auto& e : events()) {
                if (e.value("bundle_id", "") != "cred-revoked-1") continue;
                failed = failed || (e.value("event", "") == "failed" &&
                                    e.value("reason", "") == "wpa.auth_failed");
                rolled_back = rolled_back || e.value("event", "") == "rolled_back";
            }
            return failed && rolled_back;
        },
        10s))
        << failed << rolled_back;
    // The audit log has the outcome under the command.
    auto audit = [&] {
        const auto before = results().size();
        auto c = command("get-audit", {{"since", 0}, {"limit", 500}});
        CommandsTest::send(CommandsTest::sign(c, ops_));
        return result_for(c.id, 10s, before);
    }();
    ASSERT_TRUE(audit);
    bool audited = false;
    for (const auto& row : audit->output.at("records")) {
        audited = audited || (row.value("action", "") == "set-credentials" &&
                              row.value("reason", "") == "cred.rolled_back");
    }
    EXPECT_TRUE(audited) << audit->output.dump();
}

TEST_F(CredentialsTest, BundlesForSomeoneElseOrChangedOnTheWayAreRefusedWithNothingWritten) {
    start_and_wait_for_commands();
    const std::string before = config_text();
    const auto seal_dir = dir_->path() / "sealed";

    struct Case {
        std::string what;
        std::string envelope;
        std::string reason;
    };
    auto other_gateway = bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-other-gw");
    other_gateway.gateway = "gw-somewhere-else";
    auto expired = bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-expired");
    expired.issued_at_ms = now_ms() - 7'200'000;
    expired.expires_at_ms = now_ms() - 3'600'000;
    std::string tampered = envelope(bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-tampered"));
    {
        auto der = commands::base64_decode(tampered);
        ASSERT_TRUE(der);
        char& byte = (*der)[der->size() - 40];  // inside the ciphertext
        byte = static_cast<char>(byte ^ 0x01);
        tampered = commands::base64_encode(*der);
    }
    const std::vector<Case> cases{
        {"another gateway", envelope(other_gateway), "cred.wrong_gateway"},
        {"another recipient",
         envelope(bundle(rig_->pki().dot1x_b, "dot1x-b", "cred-observer"), pki_.observer.cert),
         "cred.not_for_us"},
        {"tampered", tampered, "cred.tampered"},
        {"expired", envelope(expired), "cred.expired"},
        {"not base64", "not an envelope", "cred.malformed"},
    };
    for (const auto& c : cases) {
        auto r = set_credentials(c.envelope, 15s);
        ASSERT_TRUE(r) << c.what;
        EXPECT_EQ(r->status, commands::ResultStatus::rejected) << c.what;
        EXPECT_EQ(r->reason, c.reason) << c.what << ": " << r->output.dump();
    }
    EXPECT_EQ(config_text(), before);
    EXPECT_FALSE(fs::exists(rig_->supplicant_config().string() + ".previous"));
    EXPECT_FALSE(fs::exists(seal_dir / "current.sealed"));
    EXPECT_TRUE(wait_station("dot1x-a", 2s)) << rig_->authenticator_station();
    EXPECT_EQ(rig_->radius_log().find("dot1x-b"), std::string::npos);
}

}  // namespace
}  // namespace lintel::test
