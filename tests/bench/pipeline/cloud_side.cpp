// Pipeline benchmark: CloudSide — the cloud broker and its observer.
#include "cloud_side.hpp"

#include <thread>

namespace lintel::bench {
namespace {

test::MqttTestClientOptions observer_options(const test::Pki& pki, std::uint16_t port) {
    auto o = test::MqttTestClientOptions::observer(pki, port);
    o.clean_session = false;
    return o;
}

}  // namespace

CloudSide::CloudSide(const std::filesystem::path& dir, const test::Pki& pki) : pki_(pki) {
    auto o = test::BrokerOptions::from_pki(pki);
    o.verbose_log = false;
    o.persistence = true;  // the observer's session and queue survive the outage
    o.max_queued_messages = 2'000'000;
    o.extra_conf_lines = {
        // A well-run cloud broker: PUBACKs are not held back by Nagle.
        "set_tcp_nodelay true",
        // Towards the observer only (the test's reader); the gateways' windows are their own.
        "max_inflight_messages 1000",
    };
    std::filesystem::create_directories(dir);
    broker_ = std::make_unique<test::MosquittoBroker>(dir, o);
}

bool CloudSide::start(const std::string& topic) {
    if (!broker_->start()) return false;
    observer_ = std::make_unique<test::MqttTestClient>(observer_options(pki_, broker_->port()));
    return observer_->connect() && observer_->subscribe(topic, 1);
}

void CloudSide::stop() {
    observer_.reset();  // no auto-reconnect racing the restart; its session stays on the broker
    broker_->stop();
}

BenchClock::time_point CloudSide::come_back() {
    (void)broker_->start();
    const auto listening = BenchClock::now();
    observer_ = std::make_unique<test::MqttTestClient>(observer_options(pki_, broker_->port()));
    (void)observer_->connect();
    return listening;
}

bool CloudSide::wait_messages(std::size_t n, BenchClock::time_point& first,
                              BenchClock::time_point& last, const std::function<void()>& tick,
                              std::chrono::seconds timeout) {
    const auto deadline = BenchClock::now() + timeout;
    bool any = false;
    while (BenchClock::now() < deadline) {
        const std::size_t got = observer_->message_count();
        const auto now = BenchClock::now();
        if (got > 0 && !any) {
            any = true;
            first = now;
        }
        if (got >= n) {
            last = now;
            return true;
        }
        if (tick) tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a poll interval
    }
    return false;
}

}  // namespace lintel::bench
