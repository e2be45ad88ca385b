// Reading the request line and writing the response on a socketpair, with their deadlines.
#include "helper/request_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "support/watchdog.hpp"

namespace lintel::helper {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A connected pair: server_ is non-blocking like the helper's fd, client_ is blocking.
class RequestIo : public ::testing::Test {
protected:
    void SetUp() override {
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        server_ = fds[0];
        client_ = fds[1];
        ASSERT_EQ(::fcntl(server_, F_SETFL, ::fcntl(server_, F_GETFL) | O_NONBLOCK), 0);
    }
    void TearDown() override {
        if (server_ >= 0) ::close(server_);
        if (client_ >= 0) ::close(client_);
    }
    void send_text(std::string_view text) {
        ASSERT_EQ(::send(client_, text.data(), text.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(text.size()));
    }

    int server_ = -1;
    int client_ = -1;
    test::TestWatchdog dog_{20s};
};

TEST_F(RequestIo, ReadsOneLineAndIgnoresTheRest) {
    send_text("{\"v\":1}\nsecond request\n");
    auto line = read_request_line(server_, 1s, 64);
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(*line, "{\"v\":1}");
}

TEST_F(RequestIo, ALineAcrossSeveralWrites) {
    std::thread writer([this] {
        for (auto part : {"{\"v\"", ":1,", "\"action\":\"x\"}\n"}) {
            std::this_thread::sleep_for(20ms);  // the split across reads is the point here
            ::send(client_, part, std::strlen(part), MSG_NOSIGNAL);
        }
    });
    auto line = read_request_line(server_, 2s, 64);
    writer.join();
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(*line, "{\"v\":1,\"action\":\"x\"}");
}

TEST_F(RequestIo, ExactlyAtTheLimitIsAcceptedOneMoreIsTooLarge) {
    send_text(std::string(64, 'a') + "\n");
    auto at_limit = read_request_line(server_, 1s, 64);
    ASSERT_TRUE(at_limit) << at_limit.error().message;
    EXPECT_EQ(at_limit->size(), 64u);

    TearDown();
    SetUp();
    send_text(std::string(65, 'a') + "\n");
    auto over = read_request_line(server_, 1s, 64);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, "helper.too_large");
}

TEST_F(RequestIo, TooLargeWithoutANewlineStopsReading) {
    send_text(std::string(100'000, 'x'));
    auto r = read_request_line(server_, 1s, 64 * 1024);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.too_large");
}

TEST_F(RequestIo, IdlePeerTimesOut) {
    const auto start = Clock::now();
    auto r = read_request_line(server_, 150ms, 64);
    const auto took = Clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.timeout");
    EXPECT_GE(took, 150ms);
    EXPECT_LT(took, 2s);
}

TEST_F(RequestIo, TrickleCannotStretchTheDeadline) {
    std::atomic<bool> stop{false};
    std::thread trickler([this, &stop] {
        while (!stop) {  // a byte every 10 ms, never a newline
            ::send(client_, "x", 1, MSG_NOSIGNAL);
            std::this_thread::sleep_for(10ms);
        }
    });
    const auto start = Clock::now();
    auto r = read_request_line(server_, 200ms, 64 * 1024);
    const auto took = Clock::now() - start;
    stop = true;
    trickler.join();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.timeout");
    EXPECT_LT(took, 2s);
}

TEST_F(RequestIo, PeerClosingEarlyIsMalformed) {
    send_text("{\"v\":1");
    ::shutdown(client_, SHUT_WR);
    auto partial = read_request_line(server_, 1s, 64);
    ASSERT_FALSE(partial);
    EXPECT_EQ(partial.error().code, "helper.malformed");
    EXPECT_EQ(partial.error().message, "request ended without a newline");

    TearDown();
    SetUp();
    ::shutdown(client_, SHUT_WR);
    auto nothing = read_request_line(server_, 1s, 64);
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error().message, "connection closed before a request was sent");
}

TEST_F(RequestIo, WritesTheResponseAndReportsAGonePeer) {
    ASSERT_TRUE(write_response(server_, "{\"ok\":true}\n", 1s));
    char buf[64] = {};
    ASSERT_EQ(::recv(client_, buf, sizeof buf, 0), 12);
    EXPECT_STREQ(buf, "{\"ok\":true}\n");

    ::close(client_);
    client_ = -1;
    auto gone = write_response(server_, "x\n", 1s);  // EPIPE, and no SIGPIPE kills us
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, "helper.internal");
}

TEST_F(RequestIo, WriteToAPeerThatNeverReadsTimesOut) {
    const std::string big(8 * 1024 * 1024, 'x');  // more than any socket buffer
    auto r = write_response(server_, big, 100ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "helper.timeout");
}

}  // namespace
}  // namespace lintel::helper
