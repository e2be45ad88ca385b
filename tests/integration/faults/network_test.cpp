// Fault tests: network impairment of the uplink inside a network namespace this test process
// creates (root): packet loss + latency, a blackhole longer than the keepalive, link flaps. The
// host's interfaces are never touched. This kernel has no sch_netem (nor sch_prio), so loss and
// blackholes are iptables DROP rules (random loss with `-m statistic`) on the broker's port, and
// latency is a relay in this process that holds every chunk for the delay in each direction.
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "fault_fixture.hpp"

namespace lintel::test {
namespace {

constexpr std::uint64_t k_dup_bound = 2 * 32 * 500;  // 2 x default window x default batch

// TCP relay 127.0.0.1:port() -> 127.0.0.1:target, forwarding each chunk `delay` after it was read.
class DelayRelay {
public:
    DelayRelay(std::uint16_t target, std::chrono::milliseconds delay)
        : target_(target), delay_(delay) {
        listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int one = 1;
        ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        ::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(listen_, 16);
        socklen_t len = sizeof a;
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~DelayRelay() {
        stop_ = true;
        acceptor_.join();
        for (auto& t : pumps_) t.join();
        ::close(listen_);
    }
    std::uint16_t port() const { return port_; }

private:
    void accept_loop() {
        while (!stop_) {
            pollfd p{listen_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int client = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a.sin_port = htons(target_);
            if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            // One pump per direction; the second to finish closes both sockets.
            auto done = std::make_shared<std::atomic<int>>(0);
            pumps_.emplace_back([this, client, server, done] { pump(client, server, done); });
            pumps_.emplace_back([this, client, server, done] { pump(server, client, done); });
        }
    }
    void pump(int from, int to, const std::shared_ptr<std::atomic<int>>& done) {
        std::vector<char> buf(64 * 1024);
        while (!stop_) {
            pollfd p{from, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const auto n = ::read(from, buf.data(), buf.size());
            if (n <= 0) break;
            std::this_thread::sleep_for(delay_);  // the injected latency
            if (::send(to, buf.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
        }
        ::shutdown(to, SHUT_WR);
        if (done->fetch_add(1) == 1) {
            ::close(from);
            ::close(to);
        }
    }
    std::uint16_t target_;
    std::chrono::milliseconds delay_;
    int listen_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::vector<std::thread> pumps_;  // joined at the end (a test has a handful of connections)
};

class NetworkTest : public FaultTest {
protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root for a network namespace and iptables";
        // Before any socket exists: the brokers, linteld and the observer all live in a fresh
        // namespace with only `lo` (each ctest test is its own process).
        ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
        ASSERT_TRUE(sh("ip link set lo up"));
        FaultTest::SetUp();
        if (HasFatalFailure()) return;
        uplink_extra_ = "  keepalive: 5s\n";
        write_main_config();
    }
    void TearDown() override {
        FaultTest::TearDown();
        relay_.reset();
    }
    // DROP rules on the broker's port, both directions; probability 1 is a blackhole.
    void drop(double probability) {
        const auto port = std::to_string(broker_->port());
        const std::string stat = probability < 1 ? " -m statistic --mode random --probability " +
                                                       std::to_string(probability)
                                                 : "";
        for (const auto& dir : {"--dport", "--sport"}) {
            auto r =
                sh("iptables -A INPUT -p tcp " + std::string(dir) + " " + port + stat + " -j DROP");
            ASSERT_TRUE(r) << r.error().message;
        }
    }
    void heal() { ASSERT_TRUE(sh("iptables -F INPUT")); }

    // Streams at `rate` while `fault` runs, then heals, finishes and checks every value arrived.
    void run(const std::string& name, double rate, const std::function<void()>& fault,
             std::size_t min_reconnects) {
        start_and_subscribe();
        if (HasFatalFailure()) return;
        feeder_->stream_start(rate);
        ASSERT_TRUE(wait_until([&] { return !tally().values.empty(); }, 20s));
        fault();
        heal();
        feeder_->stream_stop();
        const auto last = feeder_->last();
        ASSERT_TRUE(feeder_->finish(10s));
        ASSERT_TRUE(wait_values(1, last, 90s)) << tally().missing(1, last).size() << " missing";
        const auto t = tally();
        const auto reconnects = connects() - 1;
        EXPECT_GE(reconnects, min_reconnects) << daemon_log();
        EXPECT_LE(t.duplicates(), k_dup_bound);
        EXPECT_TRUE(t.seq_gap_free());
        report(name, static_cast<std::uint64_t>(last), t.points, t.missing(1, last).size(),
               t.duplicates(), std::to_string(reconnects) + " reconnect(s)");
    }
    std::unique_ptr<DelayRelay> relay_;
};

TEST_F(NetworkTest, LossAndLatencyLoseNothing) {
    relay_ = std::make_unique<DelayRelay>(broker_->port(), 200ms);
    uplink_port_ = relay_->port();
    write_main_config();
    run(
        "20% loss + 200 ms latency each way, 15 s", 200,
        [&] {
            drop(0.2);
            std::this_thread::sleep_for(15s);  // the fault's duration
        },
        0);
}

TEST_F(NetworkTest, BlackholeLongerThanKeepaliveReconnectsAndLosesNothing) {
    run(
        "blackhole 15 s (keepalive 5 s)", 200,
        [&] {
            drop(1);
            std::this_thread::sleep_for(15s);  // > 1.5 x keepalive: the session must notice
        },
        1);
}

TEST_F(NetworkTest, LinkFlapsLoseNothing) {
    run(
        "6 link flaps (4 s down, 3 s up)", 200,
        [&] {
            for (int i = 0; i < 6; ++i) {
                drop(1);
                std::this_thread::sleep_for(4s);  // flap durations
                heal();
                std::this_thread::sleep_for(3s);
            }
        },
        0);
}

}  // namespace
}  // namespace lintel::test
