// linteld's certificate lifecycle end to end: a real mosquitto (mTLS, ACL, CRL), linteld, and the
// test signer (tests/support/cert_signer) answering its CSRs. Renewal with the broker seeing the
// new certificate, rollback when the broker refuses it, every bad reply refused, claim-cert
// provisioning under a confining ACL, set-crl, and renewal with the key in a softhsm2 token.
#include <sys/stat.h>

#include <iostream>

#include "commands_fixture.hpp"
#include "credentials/bundle.hpp"
#include "credentials/envelope.hpp"
#include "identity/key_source.hpp"
#include "pkcs11/pkcs11.hpp"
#include "support/cert_signer.hpp"
#include "support/test_ca.hpp"
#include "token_config.hpp"

namespace lintel::test {
namespace {

using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

long long ms_since(Steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
}

class CertLifecycleTest : public CommandsTest {
protected:
    void SetUp() override {
        CommandsTest::SetUp();
        if (HasFatalFailure()) return;
        uplink_extra_ = identity_yaml();
        write_main_config(commands_yaml(100, "50/1m", "synced",
                                        "        - {action: renew-certificate}\n"
                                        "        - {action: set-crl}\n"));
        auto serial = certificate_serial(*read_file(pki_.gateway.cert));
        ASSERT_TRUE(serial);
        factory_serial_ = *serial;
    }

    static std::string identity_yaml(const std::string& more = "") {
        return "  identity:\n"
               "    reply_timeout: 2s\n"
               "    attempts: 6\n"
               "    retry_interval: 1h\n"
               "    switch_timeout: 3s\n" +
               more;
    }

    SignerCa ca() const { return {pki_.ca_cert, pki_.ca_key}; }
    SignerCa rogue() const { return {pki_.rogue_ca.cert, pki_.rogue_ca.key}; }

    // Longer than the factory certificate (gen_pki.sh: 3650 days), as the gateway requires.
    SignOptions good(std::optional<std::string> serial = std::nullopt) const {
        SignOptions o;
        o.validity = std::chrono::hours(24 * 3700);
        o.rogue = rogue();
        o.serial_hex = std::move(serial);
        return o;
    }

    // Restarts mosquitto on the same port with `crl` as its CRL (and extra ACL lines); its
    // persistence keeps the observer's session.
    void restart_broker(const std::optional<std::string>& crl_pem,
                        std::vector<std::string> extra_acl = {}) {
        auto options = broker_->options();
        broker_->stop();
        broker_.reset();
        if (crl_pem) {
            const fs::path crl = dir_->path() / "broker-crl.pem";
            ASSERT_TRUE(write_file(crl, *crl_pem, 0644));
            options.crl = crl;
        }
        if (!extra_acl.empty()) options.extra_acl_lines = std::move(extra_acl);
        broker_ = std::make_unique<MosquittoBroker>(dir_->path() / "broker", options);
        auto started = broker_->start();
        ASSERT_TRUE(started) << started.error().message;
        ASSERT_TRUE(wait_until([&] { return observer_->connected(); }, 10s));
    }

    std::string crl_revoking(const std::string& serial, std::uint64_t number = 0x3000) const {
        CrlOptions o;
        o.number = number;
        o.this_update = std::chrono::system_clock::now() - std::chrono::hours(1);
        o.revoked_serial_hex = serial;
        auto pem = make_crl(ca(), o);
        EXPECT_TRUE(pem) << pem.error().message;
        return pem.value_or("");
    }

    // The latest retained status's "certificate" member.
    json certificate_status() const {
        auto all = observer_->messages_on(status_topic());
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
            auto j = json::parse(it->payload, nullptr, false);
            if (j.is_object() && j.value("state", "") == "online" && j.contains("certificate"))
                return j["certificate"];
        }
        return nullptr;
    }

    bool wait_certificate(const std::function<bool(const json&)>& ok,
                          std::chrono::milliseconds timeout = 15s) const {
        return wait_until(
            [&] {
                auto c = certificate_status();
                return c.is_object() && ok(c);
            },
            timeout);
    }

    std::vector<json> events_named(const std::string& name) const {
        std::vector<json> out;
        for (const auto& m : observer_->messages_on("lintel/v1/" + kGateway + "/events")) {
            auto j = json::parse(m.payload, nullptr, false);
            if (j.is_object() && j.value("event", "") == name) out.push_back(j);
        }
        return out;
    }

    fs::path identity_dir() const { return dir_->path() / "identity"; }

    // A box without factory identity: only the CA, the CRL and a claim certificate (CN=claim-
    // batch7 from the CA, its key made like the gateway's), under a broker ACL for claims.
    void provision_with_claim(const std::string& identity_more = "") {
        const fs::path claim_key = this->claim_key();
        auto keys = identity::make_file_key_source();
        ASSERT_TRUE(keys->generate(claim_key));
        auto key = keys->load(claim_key);
        ASSERT_TRUE(key);
        auto csr = identity::make_csr_pem(**key, "claim-batch7");
        ASSERT_TRUE(csr);
        SignOptions claim_options;
        claim_options.validity = std::chrono::hours(24 * 30);
        auto claim_cert = sign_csr(ca(), *csr, claim_options);
        ASSERT_TRUE(claim_cert);
        ASSERT_TRUE(write_file(dir_->path() / "claim.crt", *claim_cert, 0644));
        restart_broker(std::nullopt,
                       {"pattern write lintel/v1/%c/csr", "pattern read lintel/v1/%c/certificate"});
        // No factory identity on this box: only the CA, the CRL and the claim.
        tls_dir_ = dir_->path() / "tls";
        fs::create_directories(tls_dir_);
        fs::copy_file(pki_.ca_cert, tls_dir_ / "ca.pem");
        fs::copy_file(pki_.ca_crl, tls_dir_ / "ca.crl");
        uplink_extra_ = identity_yaml(
            identity_more + "    claim_cert_file: " + (dir_->path() / "claim.crt").string() +
            "\n    claim_key_file: " + claim_key.string() + "\n");
        write_main_config(commands_yaml(100, "50/1m", "synced", "        - {action: set-crl}\n"));
    }

    fs::path claim_key() const { return dir_->path() / "claim.key"; }

    std::string factory_serial_;
};

TEST_F(CertLifecycleTest, RenewalSwitchesToTheNewKeyAndTheBrokerSeesIt) {
    start_and_wait_for_commands();
    ASSERT_TRUE(wait_certificate([&](const json& c) {
        return c["source"] == "factory" && c["serial"] == factory_serial_;
    })) << "status: "
        << certificate_status().dump();

    CertSigner signer(*observer_, ca());
    const auto t0 = Steady::now();
    send(sign(command("renew-certificate"), ops_));
    auto reply = signer.answer_next(good());
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->gateway, kGateway);
    EXPECT_NE(reply->reason.find("renew-certificate"), std::string::npos);
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s));
    const auto csr_to_connected = ms_since(t0);
    std::cout << "[figure] renew-certificate sent -> connected on the new identity: "
              << csr_to_connected << " ms\n";
    RecordProperty("renewal_ms", std::to_string(csr_to_connected));

    EXPECT_TRUE(wait_certificate([&](const json& c) {
        return c["source"] == "issued" && c["serial"] == reply->serial;
    })) << certificate_status().dump();
    EXPECT_TRUE(wait_until([&] { return events_named("certificate-renewed").size() == 1; }, 10s));
    // The new key stays on the gateway, private.
    EXPECT_EQ(mode_of(identity_dir()), 0700u);
    EXPECT_EQ(mode_of(identity_dir() / "gen-1" / "key.pem"), 0600u);
    EXPECT_EQ(daemon_log().find("BEGIN PRIVATE KEY"), std::string::npos);

    // Broker side: with the factory certificate revoked, the gateway still connects (it presents
    // the new one), and a client presenting the factory certificate is refused.
    const auto connects = log_count("uplink: connected to the broker");
    restart_broker(crl_revoking(factory_serial_));
    ASSERT_TRUE(
        wait_until([&] { return log_count("uplink: connected to the broker") > connects; }, 15s))
        << "the broker did not accept the gateway's new certificate";
    MqttTestClientOptions factory = MqttTestClientOptions::observer(pki_, broker_->port());
    factory.client_id = "factory-probe";
    factory.client = pki_.gateway;
    MqttTestClient probe(factory);
    EXPECT_FALSE(probe.connect(3s)) << "the factory certificate should be revoked";
}

// With the factory key in a PKCS#11 token, the renewal's new key is made in the same token: the
// identity directory holds only its URI, the token refuses to give its value, and the broker
// accepts the gateway on the new certificate with the token factory certificate revoked.
TEST_F(CertLifecycleTest, RenewalWithATokenKeyKeepsTheNewKeyInTheToken) {
    const SoftHsm* hsm = SoftHsm::shared();
    ASSERT_TRUE(hsm) << SoftHsm::shared_error();
    SoftHsm::Identity factory;
    use_token_key_in_config(*hsm, pki_, kGateway, config_path(), hsm->pin_file, dir_->path(),
                            &factory);
    if (HasFatalFailure()) return;
    auto factory_serial = certificate_serial(*read_file(factory.cert));
    ASSERT_TRUE(factory_serial);
    start_and_wait_for_commands();

    CertSigner signer(*observer_, ca());
    send(sign(command("renew-certificate"), ops_));
    auto reply = signer.answer_next(good());
    ASSERT_TRUE(reply) << reply.error().message;
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s)) << daemon_log();
    EXPECT_TRUE(wait_certificate([&](const json& c) {
        return c["source"] == "issued" && c["serial"] == reply->serial;
    })) << certificate_status().dump();

    auto reference = read_file(identity_dir() / "gen-1" / "key.pem");
    ASSERT_TRUE(reference);
    EXPECT_TRUE(reference->starts_with("pkcs11:")) << *reference;
    EXPECT_EQ(reference->find("PRIVATE KEY"), std::string::npos) << "a key left the token";
    std::string uri = *reference;
    while (!uri.empty() && uri.back() == '\n') uri.pop_back();
    auto protection = pkcs11::inspect_private_key(uri, hsm->settings());
    ASSERT_TRUE(protection) << protection.error().message;
    EXPECT_FALSE(protection->extractable);
    EXPECT_FALSE(protection->value_readable);

    const auto connects = log_count("uplink: connected to the broker");
    restart_broker(crl_revoking(*factory_serial));
    ASSERT_TRUE(
        wait_until([&] { return log_count("uplink: connected to the broker") > connects; }, 15s))
        << "the broker did not accept the token key's new certificate\n"
        << daemon_log();
    EXPECT_EQ(daemon_log().find(hsm->pin), std::string::npos) << "the PIN was logged";
}

TEST_F(CertLifecycleTest, RenewsByItselfWithinRenewBefore) {
    // The factory certificate is valid for 3650 days: inside 3651d, renewal is due at once.
    uplink_extra_ = identity_yaml("    renew_before: 3651d\n");
    write_main_config(commands_yaml());
    start_and_wait_for_commands();
    CertSigner signer(*observer_, ca());
    auto reply = signer.answer_next(good());
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->reason, "renewal");
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s));
    // The new certificate (3700 days) is outside renew_before: no second renewal.
    EXPECT_FALSE(wait_until([&] { return signer.requests_seen() > 1; }, 2s));
    EXPECT_TRUE(wait_certificate([&](const json& c) { return c["serial"] == reply->serial; }));
}

TEST_F(CertLifecycleTest, RollsBackWhenTheBrokerRefusesTheNewCertificate) {
    const std::string doomed = "5EED0001";
    restart_broker(crl_revoking(doomed));
    start_and_wait_for_commands();
    CertSigner signer(*observer_, ca());
    send(sign(command("renew-certificate"), ops_));
    auto reply = signer.answer_next(good(doomed));
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->serial, doomed);
    ASSERT_TRUE(wait_log("new certificate accepted", 10s));
    ASSERT_TRUE(wait_log("rolling back to the previous identity", 15s));
    const auto rollback_started = Steady::now();
    const auto connects = log_count("uplink: connected to the broker");
    ASSERT_TRUE(
        wait_until([&] { return log_count("uplink: connected to the broker") > connects; }, 15s));
    const auto rollback_ms = ms_since(rollback_started);
    std::cout << "[figure] rollback decided -> reconnected on the previous identity: "
              << rollback_ms << " ms (after the 3 s switch_timeout)\n";
    RecordProperty("rollback_ms", std::to_string(rollback_ms));

    EXPECT_EQ(daemon_log().find("connected with the new certificate"), std::string::npos);
    EXPECT_TRUE(wait_certificate([&](const json& c) {
        return c["source"] == "factory" && c["serial"] == factory_serial_;
    })) << certificate_status().dump();
    ASSERT_TRUE(
        wait_until([&] { return !events_named("certificate-renewal-failed").empty(); }, 10s));
    EXPECT_EQ(events_named("certificate-renewal-failed").front()["reason"], "cert.rolled_back");
    EXPECT_FALSE(fs::exists(identity_dir() / "gen-1")) << "the refused identity is deleted";
}

TEST_F(CertLifecycleTest, EveryBadReplyIsRefusedAndTheIdentityStays) {
    start_and_wait_for_commands();
    CertSigner signer(*observer_, ca());
    send(sign(command("renew-certificate"), ops_));
    const std::pair<SignerFault, std::string> faults[] = {
        {SignerFault::wrong_cn, "cert.wrong_cn"},
        {SignerFault::other_key, "cert.key_mismatch"},
        {SignerFault::other_ca, "cert.untrusted"},
        {SignerFault::expired, "cert.expired"},
    };
    std::string first_request;
    for (const auto& [fault, code] : faults) {
        const auto refused = log_count("issued certificate refused");
        SignOptions o = good();
        o.fault = fault;
        auto r = signer.answer_next(o);
        ASSERT_TRUE(r) << r.error().message;
        if (first_request.empty()) first_request = r->request_id;
        ASSERT_TRUE(
            wait_until([&] { return log_count("issued certificate refused") > refused; }, 10s))
            << code;
        EXPECT_TRUE(wait_log(code, 1s)) << code;
    }
    // A good certificate, but for a request the gateway has moved on from: ignored.
    SignOptions silent = good();
    silent.fault = SignerFault::no_answer;
    auto fifth = signer.answer_next(silent);
    ASSERT_TRUE(fifth) << fifth.error().message;
    auto good_cert = sign_csr(ca(), fifth->csr, good());
    ASSERT_TRUE(good_cert);
    ASSERT_TRUE(signer.reply(kGateway, first_request, *good_cert));
    ASSERT_TRUE(wait_log("certificate reply for another request ignored", 10s));
    // Then silence: the fifth and sixth requests time out and the renewal fails.
    ASSERT_TRUE(signer.answer_next(silent));
    ASSERT_TRUE(wait_log("certificate renewal failed", 15s));
    EXPECT_TRUE(wait_log("cert.timeout", 1s));

    EXPECT_EQ(daemon_log().find("new certificate accepted"), std::string::npos);
    EXPECT_TRUE(wait_until([&] { return events_named("certificate-refused").size() == 4; }, 10s));
    EXPECT_FALSE(fs::exists(identity_dir() / "gen-1"));
    EXPECT_FALSE(fs::exists(identity_dir() / "pending")) << "the unused key is deleted";
    EXPECT_TRUE(wait_certificate([&](const json& c) { return c["source"] == "factory"; }));
}

TEST_F(CertLifecycleTest, ClaimCertificateProvisionsTheGatewaysOwnIdentity) {
    ASSERT_NO_FATAL_FAILURE(provision_with_claim());
    const auto t0 = Steady::now();
    start_daemon();
    CertSigner signer(*observer_, ca());
    auto reply = signer.answer_next(good());
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->reason, "provisioning");
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s));
    std::cout << "[figure] linteld start -> connected on its own identity via claim: "
              << ms_since(t0) << " ms\n";
    EXPECT_TRUE(wait_certificate([&](const json& c) {
        return c["source"] == "issued" && c["serial"] == reply->serial;
    })) << certificate_status().dump();
    EXPECT_TRUE(wait_until([&] { return !received().empty(); }, 15s))
        << "telemetry flows once provisioned";

    // The claim identity is confined to the CSR exchange under its client id.
    MqttTestClientOptions o = MqttTestClientOptions::observer(pki_, broker_->port());
    o.client_id = "gw-claimprobe";
    o.client = CertKey{dir_->path() / "claim.crt", claim_key()};
    MqttTestClient claim(o);
    ASSERT_TRUE(claim.connect());
    (void)claim.publish(telemetry_topic(), "probe-telemetry", 1);
    (void)claim.publish("lintel/v1/gw-claimprobe/telemetry", "probe-own-telemetry", 1);
    ASSERT_TRUE(claim.subscribe("lintel/v1/" + kGateway + "/#", 1));
    ASSERT_TRUE(claim.subscribe("lintel/v1/gw-claimprobe/cmd", 1));
    ASSERT_TRUE(claim.subscribe("lintel/v1/gw-claimprobe/certificate", 1));
    ASSERT_TRUE(observer_->publish("lintel/v1/" + kGateway + "/probe", "probe-read", 1));
    ASSERT_TRUE(observer_->publish("lintel/v1/gw-claimprobe/cmd", "probe-cmd", 1));
    // Positive control: what the ACL allows does arrive.
    ASSERT_TRUE(claim.publish("lintel/v1/gw-claimprobe/csr", "probe-csr", 1));
    ASSERT_TRUE(observer_->wait_for(
        [](const std::vector<MqttMessage>& all) {
            for (const auto& m : all)
                if (m.payload == "probe-csr") return true;
            return false;
        },
        5s));
    ASSERT_TRUE(observer_->publish("lintel/v1/gw-claimprobe/certificate", "probe-reply", 1));
    ASSERT_TRUE(claim.wait_for_count("lintel/v1/gw-claimprobe/certificate", 1, 5s));
    for (const auto& m : observer_->messages())
        EXPECT_TRUE(m.payload != "probe-telemetry" && m.payload != "probe-own-telemetry")
            << "the claim identity published on " << m.topic;
    for (const auto& m : claim.messages())
        EXPECT_EQ(m.topic, "lintel/v1/gw-claimprobe/certificate")
            << "the claim identity read " << m.topic;
}

// A box provisioned by a claim certificate has no factory key, yet takes set-credentials: the
// envelope is opened with the identity it was issued, and the bundle sealed to the device sealing
// key made at first start. No lintel-helper runs here, so the apply stops at the write (the
// whole apply path is CredentialsTest's); the claim certificate never opens anything.
TEST_F(CertLifecycleTest, ClaimProvisionedGatewayOpensCredentialsAddressedToItsIssuedCertificate) {
    ASSERT_NO_FATAL_FAILURE(provision_with_claim());
    const fs::path sealed_dir = dir_->path() / "sealed";
    write_main_config(
        commands_yaml(100, "50/1m", "synced",
                      "        - {action: set-crl}\n        - {action: set-credentials}\n") +
        "helper:\n  socket: " + (dir_->path() / "no-helper.sock").string() +
        "\n"
        "credentials:\n"
        "  interfaces:\n"
        "    - {name: eth9, type: wired, config_file: " +
        (dir_->path() / "wpa-eth9.conf").string() +
        "}\n"
        "  ctrl_dir: " +
        (dir_->path() / "wpa-ctrl").string() + "\n  client_dir: " +
        (dir_->path() / "wpa-client").string() + "\n  store_dir: " + sealed_dir.string() + "\n");
    start_daemon();
    CertSigner signer(*observer_, ca());
    auto reply = signer.answer_next(good());
    ASSERT_TRUE(reply) << reply.error().message;
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s));
    const fs::path sealing_key = sealed_dir / "sealing-key.pem";
    ASSERT_TRUE(fs::exists(sealing_key)) << "made at first start, without any certificate";
    EXPECT_EQ(mode_of(sealing_key), 0600u);

    // Results are signed with the issued key too.
    const fs::path issued_cert = dir_->path() / "issued.crt";
    ASSERT_TRUE(write_file(issued_cert, reply->certificate, 0644));

    credentials::Bundle b;
    b.id = "claim-box-1";
    b.gateway = kGateway;
    b.issued_at_ms = now_ms() - 1000;
    b.type = credentials::BundleType::eap_tls;
    b.interface = credentials::Interface::wired;
    b.identity = "gw-claim-box";
    b.ca_cert = read_file(pki_.ca_cert).value_or("");
    b.server_domain = "radius.lintel.test";
    b.client_cert = read_file(pki_.gateway.cert).value_or("");
    b.client_key = credentials::Secret(read_file(pki_.gateway.key).value_or(""));
    auto send = [&](const std::string& recipient_pem) {
        auto envelope = credentials::encrypt_bundle(b, recipient_pem);
        EXPECT_TRUE(envelope) << envelope.error().message;
        const auto before = results().size();
        auto c = command("set-credentials", {{"envelope", envelope.value_or("")}});
        CommandsTest::send(CommandsTest::sign(c, ops_));
        return result_for(c.id, 15s, before, issued_cert);
    };

    auto to_claim = send(read_file(dir_->path() / "claim.crt").value_or(""));
    ASSERT_TRUE(to_claim);
    EXPECT_EQ(to_claim->status, commands::ResultStatus::rejected);
    EXPECT_EQ(to_claim->reason, "cred.not_for_us") << to_claim->output.dump();

    auto to_issued = send(reply->certificate);
    ASSERT_TRUE(to_issued);
    EXPECT_EQ(to_issued->status, commands::ResultStatus::failed);
    EXPECT_EQ(to_issued->reason, "cred.apply_failed")
        << "opened, checked and sealed; only the helper's write failed: "
        << to_issued->output.dump() << "\n"
        << daemon_log();
    // The seal was undone with the failed write; the sealing key stays.
    EXPECT_FALSE(fs::exists(sealed_dir / "current.sealed"));
    EXPECT_TRUE(fs::exists(sealing_key));
}

TEST_F(CertLifecycleTest, ExpiryWarningsFireOnceAlsoAcrossARestart) {
    // Provisioned with a 5-day certificate: the 30d and 7d thresholds are due, 1d is not.
    ASSERT_NO_FATAL_FAILURE(provision_with_claim("    renew_before: 1h\n"));
    start_daemon();
    CertSigner signer(*observer_, ca());
    SignOptions short_lived = good();
    short_lived.validity = std::chrono::hours(24 * 5);
    ASSERT_TRUE(signer.answer_next(short_lived));
    ASSERT_TRUE(wait_log("connected with the new certificate", 15s));
    ASSERT_TRUE(wait_until([&] { return !events_named("certificate-expiring").empty(); }, 10s));
    const auto warning = events_named("certificate-expiring").front();
    EXPECT_EQ(warning["threshold_s"], 7 * 86400);
    EXPECT_EQ(warning["days_left"], 4);
    EXPECT_TRUE(wait_log("the uplink certificate expires soon", 1s));

    daemon_->signal(SIGTERM);
    ASSERT_TRUE(daemon_->wait_exit(10s));
    const auto connects = log_count("uplink: connected to the broker");
    start_daemon();
    ASSERT_TRUE(
        wait_until([&] { return log_count("uplink: connected to the broker") > connects; }, 15s));
    EXPECT_FALSE(
        wait_until([&] { return log_count("the uplink certificate expires soon") > 1; }, 2s))
        << "a warning fired again after the restart";
    EXPECT_EQ(signer.requests_seen(), 1u) << "the issued identity is used after the restart";
}

TEST_F(CertLifecycleTest, SetCrlTakesNewerCrlsOnlyAndUsesThem) {
    start_and_wait_for_commands();
    const auto now = std::chrono::system_clock::now();
    auto crl = [&](const SignerCa& by, std::uint64_t number, auto this_update, auto next_update,
                   std::optional<std::string> revoked = std::nullopt) {
        CrlOptions o;
        o.number = number;
        o.this_update = this_update;
        o.next_update = next_update;
        o.revoked_serial_hex = std::move(revoked);
        return make_crl(by, o).value_or("");
    };
    using std::chrono::hours;
    // gen_pki.sh's CRL (in use) has crlNumber 0x1000.
    auto c = command("set-crl", {{"crl", crl(ca(), 0x0FFF, now - hours(1), now + hours(24))}});
    EXPECT_EQ(reason_of(sign(c, ops_), c.id), "cert.crl_older");
    c = command("set-crl", {{"crl", crl(rogue(), 0x2000, now - hours(1), now + hours(24))}});
    EXPECT_EQ(reason_of(sign(c, ops_), c.id), "cert.crl_untrusted");
    c = command("set-crl", {{"crl", crl(ca(), 0x2000, now - hours(48), now - hours(1))}});
    EXPECT_EQ(reason_of(sign(c, ops_), c.id), "cert.crl_expired");
    EXPECT_FALSE(fs::exists(identity_dir() / "crl.pem"));

    // A newer CRL that revokes the broker's certificate: accepted, and the very next
    // connection refuses the broker, which shows the uplink uses it.
    auto server_serial = certificate_serial(*read_file(pki_.server.cert));
    ASSERT_TRUE(server_serial);
    c = command("set-crl",
                {{"crl", crl(ca(), 0x2000, now - hours(1), now + hours(24), *server_serial)}});
    send(sign(c, ops_));
    // The result cannot reach the cloud any more (the broker is now refused): the daemon's log
    // and the stored file show the acceptance.
    ASSERT_TRUE(wait_log("new CRL stored", 10s));
    EXPECT_TRUE(fs::exists(identity_dir() / "crl.pem"));
    EXPECT_TRUE(wait_log("certificate revoked", 15s)) << "the new CRL is not in use";
}

}  // namespace
}  // namespace lintel::test
