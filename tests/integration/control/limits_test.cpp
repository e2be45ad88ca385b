// The server's limits and lifecycle: request size, read and answer deadlines, at most 8
// connections, stop() with work in flight, socket activation, and the socket file.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "control/listen_socket.hpp"
#include "control_fixture.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

class ControlLimits : public ControlFixture {
protected:
    TestWatchdog dog_{90s, [this] { io_.stop(); }};
};

std::string code_of(const std::string& response) {
    auto j = json::parse(response, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "<" + response.substr(0, 200) + ">";
    return j["error"]["code"].get<std::string>();
}

// A valid status request padded with JSON whitespace to exactly `size` bytes (no newline).
std::string padded_status(std::size_t size) {
    const std::string body = "{\"v\":1,\"cmd\":\"status\"}";
    return std::string(size - body.size(), ' ') + body;
}

TEST_F(ControlLimits, RequestLinesUpTo64KiB) {
    start_server();
    const auto at_limit = exchange(padded_status(control::k_max_request_bytes) + "\n");
    EXPECT_EQ(at_limit.rfind("{\"v\":1,\"ok\":true,", 0), 0u) << at_limit.substr(0, 200);

    const auto over = exchange(padded_status(control::k_max_request_bytes + 1) + "\n");
    EXPECT_EQ(code_of(over), "control.too_large");
    EXPECT_NE(over.find("request line is longer than 65536 bytes"), std::string::npos);
    // Without any newline: refused as soon as the limit is passed, not at the deadline.
    const auto started = Clock::now();
    const auto endless = exchange(std::string(1024 * 1024, 'x'));
    EXPECT_EQ(code_of(endless), "control.too_large");
    EXPECT_LT(Clock::now() - started, 2s);
    EXPECT_EQ(service_.calls().size(), 1u);
}

TEST_F(ControlLimits, ASlowOrSilentPeerIsCutOffAtTheReadDeadline) {
    start_server();  // read_timeout 300 ms
    auto started = Clock::now();
    const auto partial = exchange("{\"v\":1,");
    EXPECT_EQ(code_of(partial), "control.timeout");
    EXPECT_NE(partial.find("no complete request line within 300 ms"), std::string::npos);
    EXPECT_GE(Clock::now() - started, 250ms);
    EXPECT_LT(Clock::now() - started, 3s);

    // A byte every 50 ms never stretches the deadline.
    const int fd = open_raw();
    ASSERT_GE(fd, 0);
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        while (!stop) {
            if (::send(fd, " ", 1, MSG_NOSIGNAL) != 1) break;
            std::this_thread::sleep_for(50ms);
        }
    });
    started = Clock::now();
    std::string got;
    char buf[512];
    while (got.find('\n') == std::string::npos && Clock::now() - started < 5s) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) got.append(buf, static_cast<std::size_t>(n));
        if (n == 0) break;
        std::this_thread::sleep_for(5ms);
    }
    const auto took = Clock::now() - started;
    stop = true;
    trickle.join();
    ::close(fd);
    EXPECT_EQ(code_of(got), "control.timeout");
    EXPECT_LT(took, 2s);
    EXPECT_TRUE(service_.calls().empty());
}

TEST_F(ControlLimits, EightConcurrentClientsAndTheNinthIsBusy) {
    start_server();
    service_.hold(true);
    std::vector<Process> clients;
    for (int i = 0; i < 8; ++i) clients.push_back(start_ctl({"status"}, 100 + i));
    ASSERT_TRUE(wait_until([&] { return service_.pending() == 8; }, 15s))
        << "pending: " << service_.pending();
    EXPECT_EQ(server_connections(), 8u);

    auto busy = ctl({"status"});
    EXPECT_EQ(busy.code, 1);
    EXPECT_EQ(busy.err,
              "lintelctl: linteld is serving 8 control connections already; try again in a "
              "moment (control.busy)\n");
    EXPECT_EQ(code_of(exchange("{\"v\":1,\"cmd\":\"status\"}\n")), "control.busy");
    EXPECT_EQ(service_.pending(), 8u);  // the busy ones never reached the service
    EXPECT_TRUE(
        log_.contains("control: too many connections (8 being served)", sdk::LogLevel::warning));

    EXPECT_EQ(service_.release_all(), 8u);
    for (int i = 0; i < 8; ++i) {
        auto r = finish(clients[static_cast<std::size_t>(i)], 100 + i);
        EXPECT_EQ(r.code, 0) << i << ": " << r.err;
        EXPECT_EQ(r.out.rfind("gateway       gw-0042\n", 0), 0u) << i << ": " << r.out;
    }
    // Every slot is free again.
    service_.hold(false);
    ASSERT_TRUE(wait_until([&] { return server_connections() == 0; }, 5s));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(ctl({"queue"}).code, 0);
}

TEST_F(ControlLimits, SilentConnectionsHoldSlotsOnlyUntilTheirDeadline) {
    auto options = test_options();
    options.read_timeout = 5s;
    start_server(options);
    std::vector<int> idle;
    for (int i = 0; i < 8; ++i) idle.push_back(open_raw());
    ASSERT_TRUE(wait_until([&] { return server_connections() == 8; }, 5s));
    EXPECT_EQ(code_of(exchange("{\"v\":1,\"cmd\":\"status\"}\n")), "control.busy");
    for (int fd : idle) ::close(fd);  // each frees its slot at once, not at the deadline
    ASSERT_TRUE(wait_until([&] { return server_connections() == 0; }, 5s));
    EXPECT_EQ(ctl({"status"}).code, 0);
}

TEST_F(ControlLimits, ADaemonThatDoesNotAnswerInTime) {
    auto options = test_options();
    options.command_timeout = 300ms;
    start_server(options);
    service_.hold(true);
    auto r = ctl({"status"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "lintelctl: linteld did not answer status within 300 ms (control.timeout)\n");
    // The late answer is dropped quietly; the server goes on.
    EXPECT_EQ(service_.release_all(), 1u);
    service_.hold(false);
    EXPECT_EQ(ctl({"status"}).code, 0);
}

TEST_F(ControlLimits, LintelctlGivesUpAtItsOwnTimeout) {
    start_server();  // command_timeout 5 s
    service_.hold(true);
    const auto started = Clock::now();
    auto r = ctl({"--timeout", "300ms", "status"});
    EXPECT_LT(Clock::now() - started, 3s);
    EXPECT_EQ(r.code, 69);
    EXPECT_EQ(r.err, "lintelctl: linteld did not answer within 300 ms (socket " +
                         socket_path().string() + ")\n");
    service_.release_all();
}

TEST_F(ControlLimits, StopClosesEverythingAndRemovesTheSocketFile) {
    start_server();
    ASSERT_TRUE(std::filesystem::exists(socket_path()));
    service_.hold(true);
    const int waiting = open_raw();
    ASSERT_GE(waiting, 0);
    const std::string request = "{\"v\":1,\"cmd\":\"status\"}\n";
    ASSERT_EQ(::send(waiting, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    const int idle = open_raw();
    ASSERT_TRUE(wait_until([&] { return service_.pending() == 1; }, 5s));
    ASSERT_TRUE(wait_until([&] { return server_connections() == 2; }, 5s));

    stop_server();
    EXPECT_FALSE(std::filesystem::exists(socket_path()));
    EXPECT_TRUE(log_.contains("control: socket closed"));
    // Both peers see the connection end, without an answer.
    char buf[64];
    EXPECT_EQ(::recv(waiting, buf, sizeof buf, 0), 0);
    EXPECT_EQ(::recv(idle, buf, sizeof buf, 0), 0);
    ::close(waiting);
    ::close(idle);
    // The service answering after the stop is harmless.
    EXPECT_EQ(service_.release_all(), 1u);
    auto r = ctl({"status"});
    EXPECT_EQ(r.code, 69);
}

TEST_F(ControlLimits, AdoptsASocketFromSystemdAndLeavesItsFile) {
    // What systemd does for lintel-control.socket: bind, chmod, listen, pass the fd.
    auto made = control::create_listen_socket(socket_path(), k_test_admin_gid, "lintel-admin");
    ASSERT_TRUE(made) << made.error().message;
    auto options = test_options();
    options.listen_fd = made->fd;
    start_server(options);
    EXPECT_TRUE(log_.contains("(from systemd)"));
    EXPECT_EQ(ctl({"reload"}).out, "configuration reloaded\n");
    stop_server();
    EXPECT_TRUE(std::filesystem::exists(socket_path()));  // systemd's, not ours
    // And the fd is closed: nothing listens any more.
    EXPECT_EQ(ctl({"status"}).code, 69);
}

TEST_F(ControlLimits, StartFailuresSayWhy) {
    ASSERT_TRUE(write_file(socket_path(), "not a socket"));
    auto refused = try_start_server(test_options());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "control.socket");
    EXPECT_NE(refused.error().message.find("exists and is not a socket"), std::string::npos);
    std::filesystem::remove(socket_path());

    start_server();
    // A second linteld on the same path must neither start nor take the first one's socket.
    auto second = on_loop([&] {
        control::ControlServer other(io_.get_executor(), service_, log_, test_options());
        return other.start();
    });
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "control.in_use");
    EXPECT_TRUE(std::filesystem::exists(socket_path()));
    EXPECT_EQ(ctl({"status"}).code, 0);
    stop_server();

    auto options = test_options();
    options.listen_fd = 999;
    auto bad_fd = try_start_server(options);
    ASSERT_FALSE(bad_fd);
    EXPECT_EQ(bad_fd.error().message, "the control socket passed as fd 999 is not an open fd");
}

}  // namespace
}  // namespace lintel::test
