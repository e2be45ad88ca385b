// A client of wpa_supplicant's control interface for linteld's asio loop: commands with
// deadlines, events (ATTACH) to listeners, a PING watchdog that re-attaches after wpa_supplicant
// restarts, and await_authorized (docs/dot1x.md). Callback style, like the helper client.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "wpa/auth_tracker.hpp"
#include "wpa/event.hpp"
#include "wpa/reason_codes.hpp"
#include "wpa/status.hpp"

namespace lintel::wpa {

inline constexpr std::string_view k_default_ctrl_dir = "/run/wpa_supplicant";
inline constexpr std::string_view k_default_client_dir = "/run/lintel/wpa";

struct WpaControlOptions {
    // wpa_supplicant's socket: <ctrl_interface>/<ifname>.
    std::filesystem::path socket_path;
    // Where ours is bound (a unique name per socket): created 0700 when missing, refused when
    // group or others may enter it.
    std::filesystem::path client_dir = std::string(k_default_client_dir);
    // Deadline of a command that names none (queueing behind others included).
    std::chrono::milliseconds command_timeout{std::chrono::seconds(3)};
    // Watchdog period once start() ran: PING while attached, ATTACH again while not.
    std::chrono::milliseconds ping_interval{std::chrono::seconds(5)};

    static WpaControlOptions for_interface(
        std::string_view ifname,
        const std::filesystem::path& ctrl_dir = std::string(k_default_ctrl_dir)) {
        WpaControlOptions o;
        o.socket_path = ctrl_dir / std::string(ifname);
        return o;
    }
};

// The event stream's health, for listeners.
struct LinkChange {
    enum class Kind {
        attached,  // ATTACH answered OK: events flow (again)
        lost,      // wpa_supplicant went away or stopped answering: events may be missed
    };
    Kind kind = Kind::attached;
    std::optional<Error> error;      // lost: why
    std::uint64_t attach_count = 0;  // attached: how many ATTACHes succeeded so far (1 = first)
};

struct Listener {
    std::function<void(const Event&)> on_event;
    std::function<void(const LinkChange&)> on_link;
    // An unsolicited message that did not parse (wpa.bad_event); it is dropped.
    std::function<void(const Error&)> on_bad_event;
};

struct AwaitOptions {
    std::chrono::milliseconds deadline{std::chrono::seconds(30)};
    AuthPolicy policy;
    // STATUS is also asked this often, so that a lost event cannot stall the wait.
    std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
};

struct Authorized {
    Status status;                      // the STATUS that showed it
    std::chrono::milliseconds elapsed;  // since await_authorized was called
};

// Runs on a single-threaded executor (linteld's loop). Every handler runs exactly once, on the
// executor, never inline; at the latest when its deadline passed. Requests go out one at a time
// (a datagram reply names no request), in call order.
class WpaControl {
public:
    template <typename T>
    using Handler = std::function<void(Expected<T>)>;
    using ListenerId = std::uint64_t;

    WpaControl(asio::any_io_executor executor, WpaControlOptions options);
    ~WpaControl();  // close()
    WpaControl(const WpaControl&) = delete;
    WpaControl& operator=(const WpaControl&) = delete;

    // Attaches for events and starts the watchdog, which re-attaches whenever wpa_supplicant is
    // back (restart, crash) and tells listeners. `done` reports the first ATTACH; when it failed
    // the watchdog keeps trying.
    void start(Handler<void> done = {});
    // Fails every waiting request with wpa.closed, sends DETACH without waiting (wpa_supplicant
    // also drops a monitor whose socket is gone), removes our socket, forgets the listeners.
    void close();

    // Any command; the reply as sent (newline included). `timeout` zero: options' default.
    void async_request(std::string command, Handler<std::string> done,
                       std::chrono::milliseconds timeout = {});
    void async_ping(Handler<void> done, std::chrono::milliseconds timeout = {});
    void async_status(Handler<Status> done, std::chrono::milliseconds timeout = {});
    // Re-reads the configuration file: the new credentials are used from the next
    // authentication on, which starts at once.
    void async_reconfigure(Handler<void> done, std::chrono::milliseconds timeout = {});
    void async_reassociate(Handler<void> done, std::chrono::milliseconds timeout = {});
    void async_logoff(Handler<void> done, std::chrono::milliseconds timeout = {});  // EAPOL-Logoff
    void async_logon(Handler<void> done, std::chrono::milliseconds timeout = {});
    // SET <name> <value>, e.g. EAPOL::startPeriod 5 (seconds between EAPOL-Starts while no
    // authenticator answers; 30 by default) or EAPOL::heldPeriod (the wait after a failure, 60).
    // Such settings live until wpa_supplicant restarts (RECONFIGURE keeps them).
    void async_set(std::string_view name, std::string_view value, Handler<void> done,
                   std::chrono::milliseconds timeout = {});
    // Stops events and the watchdog (start() turns them on again).
    void async_detach(Handler<void> done, std::chrono::milliseconds timeout = {});

    // Resolves with the STATUS once the port is authorized (wired: suppPortStatus=Authorized;
    // wireless: wpa_state=COMPLETED), seen through events or STATUS. Fails with wpa.auth_failed
    // and the EAP failure's reason (unless policy.stop_on_failure is off), wpa.auth_timeout
    // after the deadline (naming the last state and failure), or wpa.closed.
    void async_await_authorized(AwaitOptions options, Handler<Authorized> done);

    ListenerId add_listener(Listener listener);
    void remove_listener(ListenerId id);

    bool attached() const;
    std::uint64_t attach_count() const;
    // Replies that came when no request waited (late ones after a timeout never do: the socket
    // is replaced), and events dropped for being too long.
    std::uint64_t stray_datagrams() const;
    // Our socket's path while one is open, else empty.
    std::filesystem::path client_path() const;
    const WpaControlOptions& options() const;

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace lintel::wpa
