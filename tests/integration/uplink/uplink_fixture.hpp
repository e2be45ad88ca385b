// Shared fixture of the uplink integration tests: a generated PKI, a real mosquitto with mutual
// TLS + CN-keyed ACL + CRL on a free port, an observer, an in-memory store and the loop.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/fake_batch_source.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"
#include "support/wait.hpp"
#include "uplink/session.hpp"

namespace lintel::uplink::testing {

using namespace std::chrono_literals;

inline constexpr const char* kGateway = "gw-it";

class UplinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pki = test::Pki::generate(dir_ / "pki", kGateway);
        ASSERT_TRUE(pki) << pki.error().message;
        pki_ = *pki;
    }

    // Starts the broker (call once per test, after adjusting options if needed).
    void start_broker(test::BrokerOptions options) {
        broker_ = std::make_unique<test::MosquittoBroker>(dir_.path(), std::move(options));
        auto r = broker_->start();
        ASSERT_TRUE(r) << r.error().message;
    }
    void start_broker() { start_broker(test::BrokerOptions::from_pki(pki_)); }

    std::unique_ptr<test::MqttTestClient> observe(const std::string& filter = "lintel/v1/#") {
        auto o = std::make_unique<test::MqttTestClient>(
            test::MqttTestClientOptions::observer(pki_, broker_->port()));
        auto c = o->connect();
        EXPECT_TRUE(c) << c.error().message;
        auto s = o->subscribe(filter, 1);
        EXPECT_TRUE(s) << s.error().message;
        return o;
    }

    UplinkConfig config() const {
        UplinkConfig c;
        c.host = "localhost";
        c.port = broker_ ? broker_->port() : test::free_tcp_port();
        c.gateway_id = kGateway;
        c.tls.ca_file = pki_.ca_cert;
        c.tls.cert_file = pki_.gateway.cert;
        c.tls.key_file = pki_.gateway.key;
        c.tls.crl_file = pki_.ca_crl;
        c.reconnect.initial = 50ms;
        c.reconnect.max = 400ms;
        c.connect_timeout = 5s;
        c.keepalive = 10s;
        c.version = "test-1";
        return c;
    }

    Session& make_session(UplinkConfig c) {
        session_ = std::make_unique<Session>(io_.get_executor(), std::move(c), source_, log_,
                                             [this] { return stats_; });
        return *session_;
    }
    Session& start_session(UplinkConfig c) {
        auto& s = make_session(std::move(c));
        auto r = s.start();
        EXPECT_TRUE(r) << r.error().message;
        return s;
    }

    bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
        return test::run_until(io_, pred, timeout);
    }
    bool run_until_state(LinkState st, std::chrono::milliseconds timeout = 10s) {
        return run_until([&] { return session_->state() == st; }, timeout);
    }

    std::string telemetry_topic() const {
        return std::string("lintel/v1/") + kGateway + "/telemetry";
    }
    std::string status_topic() const { return std::string("lintel/v1/") + kGateway + "/status"; }

    test::TempDir dir_{"lintel-uplink-it"};
    test::Pki pki_;
    std::unique_ptr<test::MosquittoBroker> broker_;
    asio::io_context io_;
    test::CaptureLogger log_{"uplink"};
    test::FakeBatchSource source_{io_.get_executor()};
    store::BufferStats stats_;
    std::unique_ptr<Session> session_;
};

inline std::vector<std::string> payloads(const std::vector<test::MqttMessage>& ms) {
    std::vector<std::string> out;
    for (const auto& m : ms) out.push_back(m.payload);
    return out;
}

}  // namespace lintel::uplink::testing
