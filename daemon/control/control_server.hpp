// linteld's control socket: accepts local connections on the daemon's loop, checks who is
// asking, reads one request per connection, asks the ControlService, writes one response.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "control/control_service.hpp"
#include "control/listen_socket.hpp"
#include "control/peer_policy.hpp"
#include "control/protocol.hpp"
#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"

#include <boost/asio/local/stream_protocol.hpp>

namespace lintel::control {

struct ControlServerOptions {
    // Where to create the socket when no listen_fd is given.
    std::filesystem::path socket_path = std::string(k_default_socket_path);
    // An already-listening socket (systemd socket activation: the daemon did sd_listen_fds).
    // The server owns (and closes) it once start() succeeded; when start() fails the caller
    // still does. Its file is systemd's and is left in place on stop().
    std::optional<int> listen_fd;
    // Members of this group may connect (besides root and linteld's own user).
    std::string admin_group = "lintel-admin";
    // Overrides the lookup of admin_group (a numeric group in the config; tests).
    std::optional<gid_t> admin_gid;
    // For the whole request line, from accept.
    std::chrono::milliseconds read_timeout{5000};
    // For the whole response; a peer that does not read is dropped.
    std::chrono::milliseconds write_timeout{5000};
    // For the ControlService to answer (check-config and reload may load plugins).
    std::chrono::milliseconds command_timeout{30000};
    // Connections being served at once; more are answered control.busy and closed.
    std::size_t max_connections = 8;
};

class Connection;

// Everything runs on `executor` (the daemon's loop); no method is thread-safe.
class ControlServer {
public:
    // Refused peers (the daemon audits them). `reason` is the message the peer was sent.
    using RefusedHook = std::function<void(const Peer& peer, std::string_view reason)>;
    // Accepted, well-formed requests, before the service is called (accounting, audit).
    using RequestHook = std::function<void(const Peer& peer, const Request& request)>;

    // `service` and `log` must outlive the server, and the server the executor's io_context.
    ControlServer(asio::any_io_executor executor, ControlService& service, sdk::Logger& log,
                  ControlServerOptions options = {});
    ~ControlServer();  // stop()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    void on_refused(RefusedHook hook) { on_refused_ = std::move(hook); }
    void on_request(RequestHook hook) { on_request_ = std::move(hook); }

    // Resolves the admin group, takes or creates the listening socket, starts accepting.
    // Errors: control.socket (with the path and the reason), control.in_use. Call once.
    Expected<void> start();
    // Closes the listening socket and every connection (pending service answers are dropped),
    // and removes the socket file if start() created it. Idempotent.
    void stop();

    // The socket's path (empty before start, or for an unnamed adopted socket).
    const std::filesystem::path& socket_path() const { return listen_.path; }
    // Connections open right now (being served, or being told busy/refused).
    std::size_t connections() const { return connections_.size(); }

private:
    friend class Connection;

    void accept_next();
    void on_accept(asio::local::stream_protocol::socket socket);
    void forget(std::uint64_t id, bool counted);
    void log_busy(const Peer& peer);

    asio::any_io_executor executor_;
    ControlService& service_;
    sdk::Logger& log_;
    ControlServerOptions options_;
    RefusedHook on_refused_;
    RequestHook on_request_;
    asio::local::stream_protocol::acceptor acceptor_;
    asio::steady_timer accept_retry_;
    // Accept handlers check it: one already queued when the server goes must not touch it.
    std::shared_ptr<int> life_ = std::make_shared<int>(0);
    ListenSocket listen_;
    std::optional<PeerPolicy> policy_;
    std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
    std::uint64_t next_id_ = 1;
    std::size_t serving_ = 0;  // connections counted against max_connections
    std::chrono::steady_clock::time_point busy_logged_at_{};
    std::uint64_t busy_unlogged_ = 0;
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace lintel::control
