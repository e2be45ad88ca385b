// WpaControl against FakeWpaSupplicant: replies and refusals, deadlines, late replies, events
// between replies, restarts and re-attach, close, the client directory, await_authorized.
#include "wpa/wpa_control.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <optional>

#include "fake_wpa_supplicant.hpp"
#include "support/asio_run.hpp"
#include "support/wait.hpp"

namespace lintel::wpa {
namespace {

using namespace std::chrono_literals;
using lintel::test::run_until;
using lintel::test::TempDir;
using lintel::test::TestWatchdog;
using test::FakeWpaSupplicant;
using Clock = std::chrono::steady_clock;

template <typename T>
struct Result {
    std::optional<Expected<T>> value;
    WpaControl::Handler<T> handler() {
        return [this](Expected<T> r) { value = std::move(r); };
    }
    bool done() const { return value.has_value(); }
};

class WpaControlTest : public ::testing::Test {
protected:
    WpaControlTest() : server_path_(dir_ / "wlan0"), fake_(io_, server_path_) {}

    WpaControlOptions options() const {
        WpaControlOptions o;
        o.socket_path = server_path_;
        o.client_dir = dir_ / "client";
        o.command_timeout = 500ms;
        o.ping_interval = 50ms;
        return o;
    }

    template <typename T>
    Expected<T> wait(Result<T>& r, std::chrono::milliseconds limit = 5s) {
        EXPECT_TRUE(run_until(
            io_, [&] { return r.done(); }, limit))
            << "no answer";
        if (!r.done()) return make_error("test", "no answer");
        return *r.value;
    }

    // start() and its answer.
    Expected<void> start(WpaControl& wpa) {
        Result<void> started;
        wpa.start(started.handler());
        return wait(started);
    }

    // Starts an await_authorized and runs until its first STATUS reached the fake.
    void begin_await(WpaControl& wpa, Result<Authorized>& auth, std::chrono::milliseconds deadline,
                     std::chrono::milliseconds poll) {
        const auto before = fake_.count("STATUS");
        AwaitOptions a;
        a.deadline = deadline;
        a.poll_interval = poll;
        wpa.async_await_authorized(a, auth.handler());
        EXPECT_TRUE(run_until(
            io_, [&] { return fake_.count("STATUS") > before; }, 2s));
    }

    TempDir dir_;
    asio::io_context io_;
    std::filesystem::path server_path_;
    FakeWpaSupplicant fake_;
};

TEST_F(WpaControlTest, CommandsRepliesAndRefusals) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    Result<void> ping;
    wpa.async_ping(ping.handler());
    EXPECT_TRUE(wait(ping));

    Result<Status> status;
    wpa.async_status(status.handler());
    auto s = wait(status);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->wpa_state, "DISCONNECTED");

    Result<void> reconfigure;
    wpa.async_reconfigure(reconfigure.handler());
    EXPECT_TRUE(wait(reconfigure));
    Result<void> set;
    wpa.async_set("EAPOL::startPeriod", "5", set.handler());
    EXPECT_TRUE(wait(set));

    fake_.answer = [](const std::string& c) -> std::optional<std::string> {
        return c == "RECONFIGURE" ? "FAIL\n" : "UNKNOWN COMMAND\n";
    };
    Result<void> refused;
    wpa.async_reconfigure(refused.handler());
    auto r = wait(refused);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::command_failed);
    Result<Status> unknown;
    wpa.async_status(unknown.handler());
    auto u = wait(unknown);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().code, reason::command_failed);
    Result<std::string> raw;
    wpa.async_request("BOGUS", raw.handler());
    auto b = wait(raw);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(*b, "UNKNOWN COMMAND\n");
    EXPECT_EQ(fake_.commands(),
              (std::vector<std::string>{"PING", "STATUS", "RECONFIGURE", "SET EAPOL::startPeriod 5",
                                        "RECONFIGURE", "STATUS", "BOGUS"}));
}

TEST_F(WpaControlTest, MissingSocketFailsAtOnceNamingIt) {
    TestWatchdog dog(20s);
    auto o = options();
    o.socket_path = dir_ / "nowhere";
    o.command_timeout = 5s;
    WpaControl wpa(io_.get_executor(), o);
    Result<void> ping;
    const auto start = Clock::now();
    wpa.async_ping(ping.handler());
    auto r = wait(ping);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::unreachable);
    EXPECT_NE(r.error().message.find((dir_ / "nowhere").string()), std::string::npos)
        << r.error().message;
    EXPECT_LT(Clock::now() - start, 1s);
}

TEST_F(WpaControlTest, SilenceTimesOutAndALateReplyIsNeverTakenForTheNext) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    bool silent = true;
    fake_.answer = [&](const std::string& c) -> std::optional<std::string> {
        if (c == "PING" && silent) return std::nullopt;
        return c == "PING" ? "PONG\n" : fake_.status_reply;
    };
    Result<void> ping;
    const auto start = Clock::now();
    wpa.async_ping(ping.handler(), 200ms);
    auto r = wait(ping);
    const auto took = Clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::timeout);
    EXPECT_NE(r.error().message.find("PING"), std::string::npos);
    EXPECT_GE(took, 190ms);
    EXPECT_LT(took, 1s);
    const auto old_client = fake_.last_sender().path();
    EXPECT_FALSE(std::filesystem::exists(old_client)) << "the timed-out socket is replaced";

    // The late PONG goes to the old socket, which is gone; STATUS gets its own answer.
    fake_.send_to_last("PONG\n");
    silent = false;
    Result<Status> status;
    wpa.async_status(status.handler());
    auto s = wait(status);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_NE(wpa.client_path().string(), old_client);
}

TEST_F(WpaControlTest, QueuedRequestsGoInOrderAndKeepTheirDeadlines) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    fake_.answer = [](const std::string& c) -> std::optional<std::string> {
        if (c == "SLOW") return std::nullopt;
        return c + "-reply\n";
    };
    Result<std::string> slow, behind, after;
    wpa.async_request("SLOW", slow.handler(), 300ms);
    wpa.async_request("BEHIND", behind.handler(), 100ms);  // expires while SLOW is in flight
    wpa.async_request("AFTER", after.handler(), 2s);
    auto b = wait(behind);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, reason::timeout);
    EXPECT_NE(b.error().message.find("behind other requests"), std::string::npos);
    EXPECT_FALSE(slow.done());
    auto s = wait(slow);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, reason::timeout);
    auto a = wait(after);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(*a, "AFTER-reply\n");
    EXPECT_EQ(fake_.commands(), (std::vector<std::string>{"SLOW", "AFTER"}));
}

TEST_F(WpaControlTest, EventsBetweenRequestAndReplyGoToListeners) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    std::vector<Event> events;
    std::vector<Error> bad;
    wpa.add_listener(Listener{[&](const Event& e) { events.push_back(e); },
                              {},
                              [&](const Error& e) { bad.push_back(e); }});
    ASSERT_TRUE(start(wpa));
    EXPECT_TRUE(wpa.attached());
    EXPECT_EQ(fake_.monitors(), 1u);

    fake_.answer = [&](const std::string& c) -> std::optional<std::string> {
        if (c != "STATUS") return c == "PING" ? "PONG\n" : "OK\n";
        fake_.send_event("<3>CTRL-EVENT-EAP-STARTED EAP authentication started");
        fake_.send_event("<3>garbage without a frame\x01");
        fake_.send_event("<3>CTRL-EVENT-EAP-SUCCESS EAP authentication completed successfully");
        return "wpa_state=COMPLETED\nsuppPortStatus=Authorized\n";
    };
    Result<Status> status;
    wpa.async_status(status.handler());
    auto s = wait(status);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->port_authorized());
    ASSERT_TRUE(run_until(
        io_, [&] { return events.size() == 2; }, 2s));
    EXPECT_EQ(events[0].kind, EventKind::eap_started);
    EXPECT_EQ(events[1].kind, EventKind::eap_success);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].code, reason::bad_event);
}

TEST_F(WpaControlTest, RestartIsNoticedAndTheClientAttachesAgain) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    std::vector<LinkChange> links;
    std::vector<Event> events;
    wpa.add_listener(Listener{[&](const Event& e) { events.push_back(e); },
                              [&](const LinkChange& l) { links.push_back(l); },
                              {}});
    ASSERT_TRUE(start(wpa));

    fake_.crash();
    fake_.start();  // a new socket at the same path, which knows no monitor
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.attach_count() == 2 && wpa.attached(); }, 5s));
    EXPECT_EQ(fake_.monitors(), 1u);
    ASSERT_EQ(links.size(), 3u);
    EXPECT_EQ(links[0].kind, LinkChange::Kind::attached);
    EXPECT_EQ(links[1].kind, LinkChange::Kind::lost);
    ASSERT_TRUE(links[1].error);
    EXPECT_EQ(links[1].error->code, reason::unreachable);
    EXPECT_EQ(links[2].kind, LinkChange::Kind::attached);
    EXPECT_EQ(links[2].attach_count, 2u);

    fake_.send_event(
        "<3>CTRL-EVENT-CONNECTED - Connection to 01:80:c2:00:00:03 completed [id=0 id_str=]");
    ASSERT_TRUE(run_until(
        io_, [&] { return !events.empty(); }, 2s));
    EXPECT_EQ(events.back().kind, EventKind::connected);
}

TEST_F(WpaControlTest, DownForAWhileThenBack) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    ASSERT_TRUE(start(wpa));
    fake_.crash();
    ASSERT_TRUE(run_until(
        io_, [&] { return !wpa.attached(); }, 2s));
    lintel::test::run_for(io_, 300ms);  // several watchdog ticks find nobody
    EXPECT_FALSE(wpa.attached());
    fake_.start();
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.attached(); }, 2s));
    EXPECT_EQ(wpa.attach_count(), 2u);
}

TEST_F(WpaControlTest, DetachStopsEventsAndTheWatchdog) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    ASSERT_TRUE(start(wpa));
    Result<void> detached;
    wpa.async_detach(detached.handler());
    ASSERT_TRUE(wait(detached));
    EXPECT_FALSE(wpa.attached());
    EXPECT_EQ(fake_.monitors(), 0u);
    const auto pings = fake_.count("PING");
    lintel::test::run_for(io_, 200ms);
    EXPECT_EQ(fake_.count("PING"), pings);
}

TEST_F(WpaControlTest, CloseFailsWaitingRequestsAndRemovesTheSocket) {
    TestWatchdog dog(20s);
    fake_.answer = [](const std::string& c) -> std::optional<std::string> {
        if (c == "ATTACH") return "OK\n";
        return std::nullopt;
    };
    auto wpa = std::make_unique<WpaControl>(io_.get_executor(), options());
    ASSERT_TRUE(start(*wpa));
    const auto client = wpa->client_path();
    ASSERT_TRUE(std::filesystem::exists(client));
    std::optional<LinkChange> lost;
    wpa->add_listener(Listener{{}, [&](const LinkChange& l) { lost = l; }, {}});
    Result<Status> status;
    Result<void> ping;
    wpa->async_status(status.handler(), 5s);
    wpa->async_ping(ping.handler(), 5s);
    wpa->close();
    EXPECT_FALSE(std::filesystem::exists(client));
    auto s = wait(status, 1s);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, reason::closed);
    EXPECT_EQ(wait(ping, 1s).error().code, reason::closed);
    ASSERT_TRUE(run_until(
        io_, [&] { return lost.has_value(); }, 1s));
    EXPECT_EQ(lost->error->code, reason::closed);
    // DETACH went out on the way, unanswered (nothing waited for it).
    ASSERT_TRUE(run_until(
        io_, [&] { return fake_.count("DETACH") == 1; }, 1s));
    Result<void> after;
    wpa->async_ping(after.handler());
    EXPECT_EQ(wait(after).error().code, reason::closed);
    wpa.reset();  // destroying a closed client is fine
}

TEST_F(WpaControlTest, ClientDirectoryMustBePrivate) {
    TestWatchdog dog(20s);
    auto o = options();
    std::filesystem::create_directory(o.client_dir);
    ::chmod(o.client_dir.c_str(), 0755);
    WpaControl wpa(io_.get_executor(), o);
    Result<void> ping;
    wpa.async_ping(ping.handler());
    auto r = wait(ping);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::io);
    EXPECT_NE(r.error().message.find("mode 0755"), std::string::npos) << r.error().message;
    ::chmod(o.client_dir.c_str(), 0700);
    Result<void> again;
    wpa.async_ping(again.handler());
    EXPECT_TRUE(wait(again));
    struct stat st {};
    ASSERT_EQ(::stat(wpa.client_path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST_F(WpaControlTest, BadCommandsAndOversizedRepliesAreRefused) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    Result<std::string> bad;
    wpa.async_request("SET_NETWORK 0 psk \"x\"\nRECONFIGURE", bad.handler());
    auto b = wait(bad);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, reason::bad_command);
    EXPECT_TRUE(fake_.commands().empty());

    fake_.answer = [](const std::string&) -> std::optional<std::string> {
        return std::string(70000, 'x');
    };
    Result<std::string> big;
    wpa.async_request("STATUS-VERBOSE", big.handler());
    auto g = wait(big);
    ASSERT_FALSE(g);
    EXPECT_EQ(g.error().code, reason::bad_reply);
    EXPECT_NE(g.error().message.find("70000-byte"), std::string::npos) << g.error().message;
}

TEST_F(WpaControlTest, AStrayReplyIsCountedAndDropped) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    Result<void> ping;
    wpa.async_ping(ping.handler());
    ASSERT_TRUE(wait(ping));
    fake_.send_to_last("OK\n");
    ASSERT_TRUE(run_until(
        io_, [&] { return wpa.stray_datagrams() == 1; }, 2s));
    Result<void> again;
    wpa.async_ping(again.handler());
    EXPECT_TRUE(wait(again));
}

// --- await_authorized --------------------------------------------------------------------

constexpr const char* k_connecting =
    "wpa_state=ASSOCIATED\nSupplicant PAE state=CONNECTING\nsuppPortStatus=Unauthorized\n";
constexpr const char* k_authorized =
    "wpa_state=COMPLETED\nSupplicant PAE state=AUTHENTICATED\nsuppPortStatus=Authorized\n";

TEST_F(WpaControlTest, AwaitAuthorizedResolvesOnTheSuccessEvent) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    ASSERT_TRUE(start(wpa));
    fake_.status_reply = k_connecting;
    Result<Authorized> auth;
    begin_await(wpa, auth, 5s, 10s);  // polls too rarely: only the event can end it quickly
    lintel::test::run_for(io_, 50ms);
    EXPECT_FALSE(auth.done());
    fake_.status_reply = k_authorized;
    fake_.send_event("<3>CTRL-EVENT-EAP-SUCCESS EAP authentication completed successfully");
    auto r = wait(auth, 2s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->status.port_authorized());
    EXPECT_LT(r->elapsed, 1s);
}

TEST_F(WpaControlTest, AwaitAuthorizedFailsWithTheEapReason) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    ASSERT_TRUE(start(wpa));
    fake_.status_reply = k_connecting;
    Result<Authorized> auth;
    begin_await(wpa, auth, 30s, 1s);
    fake_.send_event("<3>CTRL-EVENT-EAP-STARTED EAP authentication started");
    fake_.send_event("<3>CTRL-EVENT-EAP-METHOD EAP vendor 0 method 13 (TLS) selected");
    fake_.send_event(
        "<3>CTRL-EVENT-EAP-STATUS status='remote TLS alert' parameter='certificate revoked'");
    fake_.send_event("<3>CTRL-EVENT-EAP-FAILURE EAP authentication failed");
    auto r = wait(auth, 2s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::auth_failed);
    EXPECT_NE(r.error().message.find("(EAP-TLS): remote TLS alert: certificate revoked"),
              std::string::npos)
        << r.error().message;
}

TEST_F(WpaControlTest, AwaitAuthorizedTimesOutNamingTheLastState) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    fake_.status_reply = k_connecting;
    Result<Authorized> auth;
    AwaitOptions a;
    a.deadline = 300ms;
    a.poll_interval = 50ms;
    const auto start = Clock::now();
    wpa.async_await_authorized(a, auth.handler());  // without start(): polling alone
    auto r = wait(auth, 2s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::auth_timeout);
    EXPECT_NE(r.error().message.find("not authorized within 300 ms; last state: "
                                     "wpa_state=ASSOCIATED suppPortStatus=Unauthorized "
                                     "PAE=CONNECTING"),
              std::string::npos)
        << r.error().message;
    EXPECT_LT(Clock::now() - start, 1s);
    EXPECT_GE(fake_.count("STATUS"), 3u);

    // Polling alone also sees a success.
    fake_.status_reply = k_authorized;
    Result<Authorized> again;
    wpa.async_await_authorized(a, again.handler());
    EXPECT_TRUE(wait(again, 2s));
}

TEST_F(WpaControlTest, AwaitAuthorizedSurvivesARestartAndEndsOnClose) {
    TestWatchdog dog(20s);
    WpaControl wpa(io_.get_executor(), options());
    ASSERT_TRUE(start(wpa));
    fake_.status_reply = k_connecting;
    Result<Authorized> auth;
    begin_await(wpa, auth, 10s, 10s);
    fake_.crash();
    fake_.status_reply = k_authorized;  // came back authorized; the event was never seen
    fake_.start();
    auto r = wait(auth, 5s);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(wpa.attach_count(), 2u);

    fake_.status_reply = k_connecting;
    Result<Authorized> closed;
    begin_await(wpa, closed, 10s, 10s);
    wpa.close();
    auto c = wait(closed, 2s);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, reason::closed);
}

}  // namespace
}  // namespace lintel::wpa
