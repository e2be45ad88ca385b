// Fixture of the 802.1X integration tests: a Dot1xRig per test, an io_context, and helpers that
// run WpaControl's callbacks to their answer under a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/asio_run.hpp"
#include "support/dot1x_rig.hpp"
#include "support/wait.hpp"
#include "wpa/wpa_control.hpp"

namespace lintel::wpa::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Everything a listener saw, in order.
struct Recorder {
    std::vector<Event> events;
    std::vector<LinkChange> links;
    Listener listener() {
        return Listener{[this](const Event& e) { events.push_back(e); },
                        [this](const LinkChange& l) { links.push_back(l); },
                        [](const Error& e) { ADD_FAILURE() << "bad event: " << e.message; }};
    }
    std::size_t count(EventKind kind, std::size_t from = 0) const;
};

class Dot1xTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // Writes the config for `client` and starts wpa_supplicant (returns once it answers PING).
    void start_supplicant(const lintel::test::CertKey& client, const std::string& identity);
    void write_config(const lintel::test::CertKey& client, const std::string& identity);
    WpaControlOptions options() const;
    // A client on the rig's wpa_supplicant, `seen` listening, started (attached).
    std::unique_ptr<WpaControl> attached_client(Recorder& seen);

    // Runs the loop until `call` answered (the test fails after `limit`).
    template <typename T>
    Expected<T> run(const std::function<void(WpaControl::Handler<T>)>& call,
                    std::chrono::milliseconds limit = 30s) {
        std::optional<Expected<T>> result;
        call([&](Expected<T> r) { result = std::move(r); });
        if (!lintel::test::run_until(
                io_, [&] { return result.has_value(); }, limit)) {
            ADD_FAILURE() << "no answer within " << limit.count() << " ms";
            return make_error("test", "no answer");
        }
        return std::move(*result);
    }
    Expected<Authorized> await(WpaControl& wpa, std::chrono::milliseconds deadline = 20s,
                               bool fresh = false);
    Expected<Status> status(WpaControl& wpa);
    // hostapd's view of the (only) station: its flags and the EAP identity it authorized.
    std::string authenticator_station();
    // Prints a measured figure ("[ figure   ] name: N ms") and records it in the test's XML.
    void figure(const std::string& name, std::chrono::milliseconds value);

    lintel::test::TempDir dir_{"lintel-dot1x"};
    asio::io_context io_;
    std::unique_ptr<lintel::test::Dot1xRig> rig_;
};

}  // namespace lintel::wpa::test
