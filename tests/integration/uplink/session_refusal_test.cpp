// Refusals, each logged clearly: revoked, rogue-CA and expired client certificates (broker
// side), a broker certificate from another CA (client side), and an ACL refusal (PUBACK 0x87).
#include "uplink_fixture.hpp"

namespace lintel::uplink::testing {
namespace {

class RefusalTest : public UplinkTest {
protected:
    // Runs long enough for several attempts and checks that none got through.
    void expect_never_connects(Session& s) {
        ASSERT_TRUE(run_until([&] { return s.counters().failed_attempts >= 2; }, 15s));
        EXPECT_EQ(s.counters().connects, 0u);
        EXPECT_NE(s.state(), LinkState::connected);
        EXPECT_TRUE(log_.contains("cannot connect to the broker", sdk::LogLevel::warning));
    }
};

TEST_F(RefusalTest, RevokedClientCertificate) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto c = config();
    c.gateway_id = "gw-revoked";
    c.tls.cert_file = pki_.revoked.cert;
    c.tls.key_file = pki_.revoked.key;
    expect_never_connects(start_session(c));
    EXPECT_TRUE(broker_->wait_for_log("certificate verify failed", 5s)) << broker_->log();
    // The client learns it from the broker's TLS alert, or (timing) only sees the connection
    // closed after its handshake: then the message says the certificate was probably refused.
    EXPECT_TRUE(log_.contains("certificate revoked") ||
                log_.contains("probably refuses our client certificate"));
}

TEST_F(RefusalTest, ClientCertificateFromAnotherCa) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto c = config();
    c.gateway_id = "gw-rogue";
    c.tls.cert_file = pki_.rogue_client.cert;
    c.tls.key_file = pki_.rogue_client.key;
    expect_never_connects(start_session(c));
    EXPECT_TRUE(broker_->wait_for_log("certificate verify failed", 5s)) << broker_->log();
    EXPECT_TRUE(log_.contains("unknown ca") ||
                log_.contains("probably refuses our client certificate"));
}

TEST_F(RefusalTest, ExpiredClientCertificate) {
    test::TestWatchdog dog(60s);
    start_broker();
    auto c = config();
    c.gateway_id = "gw-expired";
    c.tls.cert_file = pki_.expired.cert;
    c.tls.key_file = pki_.expired.key;
    expect_never_connects(start_session(c));
    EXPECT_TRUE(broker_->wait_for_log("certificate verify failed", 5s)) << broker_->log();
    EXPECT_TRUE(log_.contains("certificate expired") ||
                log_.contains("probably refuses our client certificate"));
}

TEST_F(RefusalTest, BrokerCertificateFromAnotherCa) {
    test::TestWatchdog dog(60s);
    auto options = test::BrokerOptions::from_pki(pki_);
    options.server = pki_.rogue_server;  // valid for localhost, but not from our CA
    start_broker(options);
    expect_never_connects(start_session(config()));
    EXPECT_TRUE(
        log_.contains("TLS: broker certificate rejected: unable to get local issuer "
                      "certificate (depth 0, CN=localhost)"));
}

TEST_F(RefusalTest, BrokerCertificateForAnotherName) {
    test::TestWatchdog dog(60s);
    auto options = test::BrokerOptions::from_pki(pki_);
    options.server = pki_.wrong_name;  // our CA, but issued for wrong.example
    start_broker(options);
    expect_never_connects(start_session(config()));
    EXPECT_TRUE(log_.contains("TLS: broker certificate rejected: hostname mismatch"));
}

TEST_F(RefusalTest, AclRefusalIsLoggedAndNotAcknowledged) {
    test::TestWatchdog dog(60s);
    start_broker();
    // The certificate says gw-it, but the session publishes as another gateway: outside the
    // ACL pattern lintel/v1/%u/#. MQTT 5 reports it in the PUBACK (0x87).
    auto c = config();
    c.gateway_id = "gw-other";
    c.client_id = "gw-other";
    source_.add("forbidden-1");
    source_.add("forbidden-2");
    auto& s = start_session(c);
    ASSERT_TRUE(run_until([&] { return s.counters().telemetry.rejected_batches == 2; }, 10s));
    EXPECT_TRUE(source_.acked().empty());
    EXPECT_EQ(source_.unacked(), 2u);
    EXPECT_EQ(log_.count("refused a telemetry batch", sdk::LogLevel::error),
              1u);  // once per connection
    EXPECT_TRUE(log_.contains("CODE=0x87"));
    EXPECT_TRUE(log_.contains("refused the status message", sdk::LogLevel::error));
    EXPECT_EQ(s.state(), LinkState::connected);
}

}  // namespace
}  // namespace lintel::uplink::testing
