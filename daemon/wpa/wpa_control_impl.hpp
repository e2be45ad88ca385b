// WpaControl's shared state (private to daemon/wpa): the request queue, the socket, the receive
// loop, listeners and the watchdog. Handlers keep it alive through shared_from_this.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <deque>
#include <map>
#include <vector>

#include "wpa/client_socket.hpp"
#include "wpa/wpa_control.hpp"

namespace lintel::wpa {

class WpaControl::Impl : public std::enable_shared_from_this<WpaControl::Impl> {
public:
    Impl(asio::any_io_executor executor, WpaControlOptions options);

    void request(std::string command, std::chrono::milliseconds timeout, Handler<std::string> done);
    void start(Handler<void> done);
    void detach(Handler<void> done, std::chrono::milliseconds timeout);
    void close();

    ListenerId add_listener(Listener listener);
    void remove_listener(ListenerId id);

    const asio::any_io_executor& executor() const { return executor_; }
    const WpaControlOptions& options() const { return options_; }
    bool attached() const { return attached_; }
    std::uint64_t attach_count() const { return attach_count_; }
    std::uint64_t stray_datagrams() const { return stray_; }
    std::filesystem::path client_path() const {
        return socket_ ? socket_->path() : std::filesystem::path();
    }
    std::string where() const { return "wpa_supplicant at " + options_.socket_path.string(); }

    // Runs `done(result)` on the executor, later.
    template <typename T>
    void post(Handler<T> done, Expected<T> result) {
        if (!done) return;
        asio::post(executor_, [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    }

private:
    struct Request {
        Request(const asio::any_io_executor& ex, std::string c, Handler<std::string> d)
            : command(std::move(c)), done(std::move(d)), timer(ex) {}
        std::string command;
        Handler<std::string> done;
        asio::steady_timer timer;
        bool finished = false;
    };
    using RequestPtr = std::shared_ptr<Request>;

    void pump();
    Expected<void> ensure_connected();
    void send(const RequestPtr& request, bool retried);
    void receive();
    void on_datagram(std::size_t size);
    void dispatch_event(std::string_view datagram);
    void on_timeout(const RequestPtr& request, std::chrono::milliseconds timeout);
    void complete(RequestPtr request, Expected<std::string> result);
    void finish_in_flight(Expected<std::string> result);
    void reset_socket(const Error& why);
    void lose_attachment(const Error& why);
    void attach(Handler<void> done);
    void arm_watchdog();
    void on_watchdog();
    void notify_link(const LinkChange& change);

    asio::any_io_executor executor_;
    WpaControlOptions options_;
    std::unique_ptr<ClientSocket> socket_;
    std::uint64_t generation_ = 0;  // bumped with every new socket: old receive handlers stop
    std::vector<char> rx_;
    std::deque<RequestPtr> queue_;
    RequestPtr in_flight_;
    std::map<ListenerId, Listener> listeners_;
    ListenerId next_listener_ = 1;
    asio::steady_timer watchdog_;
    std::vector<Handler<void>> start_waiters_;
    bool want_events_ = false;
    bool attached_ = false;
    bool attaching_ = false;
    bool pinging_ = false;
    bool closed_ = false;
    std::uint64_t attach_count_ = 0;
    std::uint64_t stray_ = 0;
};

}  // namespace lintel::wpa
