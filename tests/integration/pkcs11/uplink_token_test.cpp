// The uplink's mutual TLS with the key in a softhsm2 token, against a real mosquitto that keys
// its ACL on the certificate CN: connect, the broker sees the token certificate's CN, reconnect
// after a broker restart, token failures as logged refusals while the session keeps retrying,
// and the handshake cost of a token key next to a file key.
#include <chrono>
#include <fstream>
#include <iostream>

#include "pkcs11/pkcs11.hpp"
#include "support/softhsm.hpp"
#include "uplink/uplink_fixture.hpp"

namespace lintel::uplink::testing {
namespace {

class UplinkTokenTest : public UplinkTest {
protected:
    // A token key for kGateway and its certificate from the test CA (token_config()).
    void SetUp() override {
        UplinkTest::SetUp();
        ASSERT_TRUE(hsm_) << test::SoftHsm::shared_error();
        auto id =
            hsm_->issue_identity(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                                 kGateway, pki_.ca_cert, pki_.ca_key, dir_.path());
        ASSERT_TRUE(id) << id.error().message;
        uri_ = id->uri;
        cert_ = id->cert;
    }

    UplinkConfig token_config() const {
        UplinkConfig c = config();
        c.tls.cert_file = cert_;
        c.tls.key_file = uri_;
        c.tls.pkcs11 = hsm_->settings();
        return c;
    }

    // Mean time from start() to connected over `rounds` fresh sessions (TCP + TLS + CONNACK).
    std::chrono::microseconds mean_connect_time(const UplinkConfig& c, int rounds) {
        std::chrono::microseconds total{0};
        for (int i = 0; i < rounds; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            start_session(c);
            EXPECT_TRUE(run_until_state(LinkState::connected));
            total += std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - t0);
            bool stopped = false;
            session_->async_stop(2s, [&] { stopped = true; });
            EXPECT_TRUE(run_until([&] { return stopped; }, 5s));
            session_.reset();
        }
        return total / rounds;
    }

    std::string logged() const {
        std::string out;
        for (const auto& l : log_.lines()) out += l.text() + "\n";
        return out;
    }

    const test::SoftHsm* hsm_ = test::SoftHsm::shared();
    std::string uri_;
    std::filesystem::path cert_;
};

TEST_F(UplinkTokenTest, MutualTlsWithTheTokenKeyAndReconnect) {
    test::TestWatchdog dog(90s);
    start_broker();
    auto observer = observe();
    source_.add("from-the-token", 1);
    auto& s = start_session(token_config());
    ASSERT_TRUE(run_until_state(LinkState::connected, 15s)) << logged();
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 1; }, 10s));
    // The ACL is "pattern readwrite lintel/v1/%u/#" with the CN as user name: the telemetry came
    // through, so the broker took the token certificate's CN as kGateway.
    ASSERT_TRUE(observer->wait_for_count(telemetry_topic(), 1, 10s));
    EXPECT_TRUE(broker_->wait_for_log(std::string("u'") + kGateway + "'", 5s)) << broker_->log();

    broker_->stop();
    ASSERT_TRUE(run_until_state(LinkState::backoff));
    ASSERT_TRUE(broker_->start());
    source_.add("after-reconnect", 1);
    ASSERT_TRUE(run_until([&] { return source_.acked().size() == 2; }, 20s)) << logged();
    EXPECT_EQ(s.counters().connects, 2u);
}

TEST_F(UplinkTokenTest, TokenFailuresAreLoggedAndTheSessionKeepsTrying) {
    test::TestWatchdog dog(60s);
    start_broker();
    struct Case {
        const char* name;
        std::function<void(UplinkConfig&)> spoil;
        const char* code;
    };
    const auto bad_pin = dir_ / "wrong.pin";
    std::ofstream(bad_pin) << "999999\n";
    std::filesystem::permissions(
        bad_pin, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const std::vector<Case> cases{
        {"wrong PIN", [&](UplinkConfig& c) { c.tls.pkcs11->pin_file = bad_pin; }, "pkcs11.pin"},
        {"missing key",
         [&](UplinkConfig& c) { c.tls.key_file = hsm_->token_uri() + ";object=nothing-here"; },
         "pkcs11.no_key"},
        {"missing module",
         [&](UplinkConfig& c) { c.tls.pkcs11->module = dir_ / "no-such-module.so"; },
         "pkcs11.module"},
    };
    for (const auto& k : cases) {
        SCOPED_TRACE(k.name);
        log_.clear();
        UplinkConfig c = token_config();
        k.spoil(c);
        auto& s = start_session(c);
        ASSERT_TRUE(run_until([&] { return s.counters().failed_attempts >= 2; }, 10s));
        EXPECT_NE(s.state(), LinkState::connected);
        EXPECT_TRUE(log_.contains(k.code, sdk::LogLevel::warning)) << logged();
        EXPECT_EQ(logged().find("999999"), std::string::npos) << "a PIN was logged";
        bool stopped = false;
        s.async_stop(2s, [&] { stopped = true; });
        ASSERT_TRUE(run_until([&] { return stopped; }, 5s));
        session_.reset();
    }
    // And the right settings connect in the same process afterwards.
    start_session(token_config());
    EXPECT_TRUE(run_until_state(LinkState::connected, 15s)) << logged();
}

TEST_F(UplinkTokenTest, HandshakeTimeTokenKeyVersusFileKey) {
    test::TestWatchdog dog(120s);
    start_broker();
    constexpr int k_rounds = 20;
    mean_connect_time(config(), 2);  // warm-up: engine and module loaded, broker caches
    mean_connect_time(token_config(), 2);
    const auto file_key = mean_connect_time(config(), k_rounds);
    const auto token_key = mean_connect_time(token_config(), k_rounds);
    std::cout << "[ FIGURES  ] connect (TCP+TLS 1.3+CONNACK) mean of " << k_rounds << ": file key "
              << file_key.count() << " us, softhsm2 token key " << token_key.count() << " us\n";
    // The token's own share: opening the key (module check, login, find, engine load).
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < k_rounds; ++i) {
        ASSERT_TRUE(pkcs11::open_private_key(uri_, hsm_->settings()));
    }
    const auto open_key = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - t0) /
                          k_rounds;
    std::cout << "[ FIGURES  ] open_private_key mean of " << k_rounds << ": " << open_key.count()
              << " us\n";
    RecordProperty("open_token_key_us", static_cast<int>(open_key.count()));
    RecordProperty("connect_file_key_us", static_cast<int>(file_key.count()));
    RecordProperty("connect_token_key_us", static_cast<int>(token_key.count()));
    EXPECT_LT(token_key, 2s);  // a token that slow would trip connect_timeout on real links
}

}  // namespace
}  // namespace lintel::uplink::testing
