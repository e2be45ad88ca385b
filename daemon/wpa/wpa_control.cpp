// WpaControl: one request in flight at a time over a connected Unix datagram socket, events
// split off by their '<' and handed to listeners, a watchdog that re-attaches.
#include "wpa/wpa_control.hpp"

#include <sys/socket.h>

#include <algorithm>

#include "wpa/reply.hpp"
#include "wpa/wpa_control_impl.hpp"

namespace lintel::wpa {
namespace {

using boost::system::error_code;
namespace errc = boost::system::errc;

// wpa_supplicant's largest message: an event with a certificate, or STATUS-VERBOSE.
constexpr std::size_t k_receive_buffer = 65536;

Error error(std::string_view code, std::string message) {
    return Error{std::string(code), std::move(message)};
}

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

WpaControl::Impl::Impl(asio::any_io_executor executor, WpaControlOptions options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      rx_(k_receive_buffer),
      watchdog_(executor_) {}

void WpaControl::Impl::request(std::string command, std::chrono::milliseconds timeout,
                               Handler<std::string> done) {
    if (timeout.count() <= 0) timeout = options_.command_timeout;
    const std::string verb(command_verb(command));
    if (closed_) {
        post(std::move(done),
             Expected<std::string>(std::unexpected(error(
                 reason::closed, "the wpa_supplicant client is closed: " + verb + " not sent"))));
        return;
    }
    if (auto ok = check_command(command); !ok) {
        post(std::move(done), Expected<std::string>(std::unexpected(ok.error())));
        return;
    }
    auto r = std::make_shared<Request>(executor_, std::move(command), std::move(done));
    r->timer.expires_after(timeout);
    r->timer.async_wait([self = shared_from_this(), r, timeout](const error_code& ec) {
        if (ec || r->finished) return;
        self->on_timeout(r, timeout);
    });
    queue_.push_back(std::move(r));
    pump();
}

void WpaControl::Impl::pump() {
    while (!closed_ && !in_flight_ && !queue_.empty()) {
        auto r = queue_.front();
        queue_.pop_front();
        if (auto ok = ensure_connected(); !ok) {
            complete(r, std::unexpected(ok.error()));
            continue;
        }
        in_flight_ = r;
        send(r, false);
    }
}

Expected<void> WpaControl::Impl::ensure_connected() {
    if (!socket_) {
        auto opened = ClientSocket::open(executor_, options_.client_dir);
        if (!opened) return std::unexpected(opened.error());
        socket_ = std::move(*opened);
        ++generation_;
        receive();
    }
    if (!socket_->connected()) return socket_->connect(options_.socket_path);
    return {};
}

void WpaControl::Impl::send(const RequestPtr& r, bool retried) {
    socket_->socket().async_send(
        asio::buffer(r->command), [self = shared_from_this(), r, retried, generation = generation_](
                                      const error_code& ec, std::size_t) {
            if (r->finished || generation != self->generation_) return;
            if (!ec) return;  // the reply comes through receive()
            const std::string verb(command_verb(r->command));
            const bool peer_gone = ec == errc::connection_refused || ec == errc::not_connected;
            if (peer_gone && !retried) {
                // The wpa_supplicant we were connected to is gone; the path may hold a new one
                // (restart), which knows nothing of our ATTACH.
                self->socket_->disconnected();
                self->lose_attachment(peer_error(ec, self->options_.socket_path, "send to"));
                // A listener told of the loss may have closed us.
                if (r->finished || generation != self->generation_) return;
                if (auto again = self->socket_->connect(self->options_.socket_path); !again) {
                    self->finish_in_flight(std::unexpected(again.error()));
                    return;
                }
                self->send(r, true);
                return;
            }
            if (peer_gone) self->socket_->disconnected();
            self->finish_in_flight(std::unexpected(
                peer_error(ec, self->options_.socket_path, "send " + verb + " to")));
        });
}

void WpaControl::Impl::receive() {
    socket_->socket().async_receive(
        asio::buffer(rx_), MSG_TRUNC,
        [self = shared_from_this(), generation = generation_](const error_code& ec,
                                                              std::size_t size) {
            if (self->closed_ || generation != self->generation_) return;
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
                const Error why =
                    error(reason::io, "receiving from " + self->where() + ": " + ec.message());
                // Reset before the next request can go out on the broken socket.
                if (auto r = self->in_flight_) self->complete(r, std::unexpected(why));
                self->reset_socket(why);
                self->pump();
                return;
            }
            self->on_datagram(size);
            if (!self->closed_ && generation == self->generation_) self->receive();
        });
}

void WpaControl::Impl::on_datagram(std::size_t size) {
    if (size > rx_.size()) {  // MSG_TRUNC reports the datagram's real length
        const std::string_view head(rx_.data(), rx_.size());
        const std::string what = std::to_string(size) + "-byte message from " + where() +
                                 " is longer than " + std::to_string(rx_.size()) + " bytes";
        if (is_unsolicited(head) || !in_flight_) {
            ++stray_;
            const Error why = error(reason::bad_event, what + ": dropped");
            for (const auto& [id, l] : std::map(listeners_)) {
                if (l.on_bad_event && listeners_.contains(id)) l.on_bad_event(why);
            }
            return;
        }
        finish_in_flight(std::unexpected(error(reason::bad_reply, what)));
        return;
    }
    const std::string_view datagram(rx_.data(), size);
    if (is_unsolicited(datagram)) {
        dispatch_event(datagram);
        return;
    }
    if (!in_flight_) {
        ++stray_;
        return;
    }
    finish_in_flight(std::string(datagram));
}

void WpaControl::Impl::dispatch_event(std::string_view datagram) {
    auto parsed = parse_event(datagram);
    // A copy: a listener may add or remove listeners (or close) while we iterate.
    const auto listeners = listeners_;
    for (const auto& [id, l] : listeners) {
        if (!listeners_.contains(id)) continue;
        if (parsed && l.on_event) l.on_event(*parsed);
        if (!parsed && l.on_bad_event) l.on_bad_event(parsed.error());
    }
}

void WpaControl::Impl::on_timeout(const RequestPtr& r, std::chrono::milliseconds timeout) {
    const std::string verb(command_verb(r->command));
    if (r == in_flight_) {
        const Error why = error(reason::timeout, "no answer to " + verb + " from " + where() +
                                                     " within " + ms_text(timeout));
        complete(r, std::unexpected(why));
        // A late reply must not be taken for the next request's: a new socket, a new name,
        // before the next request goes out.
        reset_socket(why);
        pump();
        return;
    }
    complete(r, std::unexpected(error(reason::timeout, verb + " to " + where() + " waited " +
                                                           ms_text(timeout) +
                                                           " behind other requests")));
}

void WpaControl::Impl::complete(RequestPtr r, Expected<std::string> result) {
    // By value: `r` may be in_flight_ itself, which is reset below.
    if (r->finished) return;
    r->finished = true;
    r->timer.cancel();
    if (r == in_flight_) in_flight_.reset();
    if (auto it = std::find(queue_.begin(), queue_.end(), r); it != queue_.end()) queue_.erase(it);
    post(std::move(r->done), std::move(result));
}

void WpaControl::Impl::finish_in_flight(Expected<std::string> result) {
    if (!in_flight_) return;
    complete(in_flight_, std::move(result));  // complete() takes its own reference
    pump();
}

void WpaControl::Impl::reset_socket(const Error& why) {
    socket_.reset();
    ++generation_;
    lose_attachment(why);
}

void WpaControl::Impl::lose_attachment(const Error& why) {
    if (!attached_) return;
    attached_ = false;
    notify_link(LinkChange{LinkChange::Kind::lost, why, attach_count_});
    // A restarted wpa_supplicant is usually back already: try at once, then at every tick.
    if (want_events_ && !closed_) {
        asio::post(executor_, [self = shared_from_this()] {
            if (self->want_events_ && !self->closed_ && !self->attached_) self->attach({});
        });
    }
}

void WpaControl::Impl::start(Handler<void> done) {
    if (closed_) {
        post(std::move(done), Expected<void>(std::unexpected(
                                  error(reason::closed, "the wpa_supplicant client is closed"))));
        return;
    }
    want_events_ = true;
    arm_watchdog();
    if (attached_) {
        post(std::move(done), Expected<void>());
        return;
    }
    attach(std::move(done));
}

void WpaControl::Impl::attach(Handler<void> done) {
    if (done) start_waiters_.push_back(std::move(done));
    if (attaching_) return;
    attaching_ = true;
    request("ATTACH", options_.command_timeout,
            [self = shared_from_this()](Expected<std::string> reply) {
                self->attaching_ = false;
                Expected<void> result = reply ? expect_ok(*reply, "ATTACH")
                                              : Expected<void>(std::unexpected(reply.error()));
                if (result && self->want_events_ && !self->closed_) {
                    self->attached_ = true;
                    ++self->attach_count_;
                    self->notify_link(
                        LinkChange{LinkChange::Kind::attached, std::nullopt, self->attach_count_});
                }
                auto waiters = std::move(self->start_waiters_);
                self->start_waiters_.clear();
                for (auto& w : waiters) w(result);
            });
}

void WpaControl::Impl::arm_watchdog() {
    if (options_.ping_interval.count() <= 0) return;
    watchdog_.expires_after(options_.ping_interval);
    watchdog_.async_wait([self = shared_from_this()](const error_code& ec) {
        if (ec || self->closed_ || !self->want_events_) return;
        self->on_watchdog();
        self->arm_watchdog();
    });
}

void WpaControl::Impl::on_watchdog() {
    if (!attached_) {
        attach({});
        return;
    }
    if (pinging_) return;
    pinging_ = true;
    // Its own deadline is command_timeout: a slow answer skips ticks (pinging_) rather than
    // counting as lost when the interval is short.
    request("PING", options_.command_timeout,
            [self = shared_from_this()](Expected<std::string> reply) {
                self->pinging_ = false;
                Expected<void> ok =
                    reply ? expect_pong(*reply) : Expected<void>(std::unexpected(reply.error()));
                if (!ok) self->lose_attachment(ok.error());
            });
}

void WpaControl::Impl::notify_link(const LinkChange& change) {
    const auto listeners = listeners_;
    for (const auto& [id, l] : listeners) {
        if (listeners_.contains(id) && l.on_link) l.on_link(change);
    }
}

void WpaControl::Impl::detach(Handler<void> done, std::chrono::milliseconds timeout) {
    want_events_ = false;
    watchdog_.cancel();
    request(
        "DETACH", timeout,
        [self = shared_from_this(), done = std::move(done)](Expected<std::string> reply) mutable {
            self->attached_ = false;
            Expected<void> result = reply ? expect_ok(*reply, "DETACH")
                                          : Expected<void>(std::unexpected(reply.error()));
            if (done) done(std::move(result));
        });
}

void WpaControl::Impl::close() {
    if (closed_) return;
    closed_ = true;
    want_events_ = false;
    watchdog_.cancel();
    if (socket_ && socket_->connected() && attached_) {
        // Best effort and never blocking: wpa_supplicant also drops a monitor whose socket
        // path is gone, on its next event.
        constexpr std::string_view k_detach = "DETACH";
        (void)::send(socket_->socket().native_handle(), k_detach.data(), k_detach.size(),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    std::vector<RequestPtr> pending(queue_.begin(), queue_.end());
    if (in_flight_) pending.insert(pending.begin(), in_flight_);
    for (const auto& r : pending) {
        complete(
            r, std::unexpected(error(reason::closed,
                                     "the wpa_supplicant client was closed before " +
                                         std::string(command_verb(r->command)) + " was answered")));
    }
    socket_.reset();
    ++generation_;
    const bool was_attached = attached_;
    attached_ = false;
    auto listeners = std::move(listeners_);
    listeners_.clear();
    // Waiters (await_authorized) learn of it through their listener, later, on the executor.
    asio::post(executor_, [listeners = std::move(listeners), was_attached, count = attach_count_,
                           where = where()] {
        const LinkChange change{LinkChange::Kind::lost,
                                error(reason::closed, "the client of " + where + " was closed" +
                                                          (was_attached ? "" : " (not attached)")),
                                count};
        for (const auto& [id, l] : listeners) {
            if (l.on_link) l.on_link(change);
        }
    });
}

WpaControl::ListenerId WpaControl::Impl::add_listener(Listener listener) {
    const auto id = next_listener_++;
    if (!closed_) listeners_.emplace(id, std::move(listener));
    return id;
}

void WpaControl::Impl::remove_listener(ListenerId id) { listeners_.erase(id); }

// --- the public face -----------------------------------------------------------------------

WpaControl::WpaControl(asio::any_io_executor executor, WpaControlOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

WpaControl::~WpaControl() { impl_->close(); }

void WpaControl::start(Handler<void> done) { impl_->start(std::move(done)); }
void WpaControl::close() { impl_->close(); }

void WpaControl::async_request(std::string command, Handler<std::string> done,
                               std::chrono::milliseconds timeout) {
    impl_->request(std::move(command), timeout, std::move(done));
}

namespace {

// Sends `command` and hands `done` the reply as `parse` reads it (or the request's error).
template <typename T, typename Parse>
void request_as(WpaControl::Impl& impl, std::string command, std::chrono::milliseconds timeout,
                WpaControl::Handler<T> done, Parse parse) {
    impl.request(std::move(command), timeout,
                 [done = std::move(done), parse = std::move(parse)](Expected<std::string> reply) {
                     if (!done) return;
                     done(reply ? parse(*reply) : Expected<T>(std::unexpected(reply.error())));
                 });
}

// A command whose only good answer is OK.
void ok_command(WpaControl::Impl& impl, std::string command, WpaControl::Handler<void> done,
                std::chrono::milliseconds timeout) {
    std::string verb(command_verb(command));
    request_as<void>(
        impl, std::move(command), timeout, std::move(done),
        [verb = std::move(verb)](const std::string& reply) { return expect_ok(reply, verb); });
}

}  // namespace

void WpaControl::async_ping(Handler<void> done, std::chrono::milliseconds timeout) {
    request_as<void>(*impl_, "PING", timeout, std::move(done),
                     [](const std::string& reply) { return expect_pong(reply); });
}

void WpaControl::async_status(Handler<Status> done, std::chrono::milliseconds timeout) {
    request_as<Status>(*impl_, "STATUS", timeout, std::move(done),
                       [](const std::string& reply) { return parse_status(reply); });
}

void WpaControl::async_reconfigure(Handler<void> done, std::chrono::milliseconds timeout) {
    ok_command(*impl_, "RECONFIGURE", std::move(done), timeout);
}
void WpaControl::async_reassociate(Handler<void> done, std::chrono::milliseconds timeout) {
    ok_command(*impl_, "REASSOCIATE", std::move(done), timeout);
}
void WpaControl::async_logoff(Handler<void> done, std::chrono::milliseconds timeout) {
    ok_command(*impl_, "LOGOFF", std::move(done), timeout);
}
void WpaControl::async_logon(Handler<void> done, std::chrono::milliseconds timeout) {
    ok_command(*impl_, "LOGON", std::move(done), timeout);
}
void WpaControl::async_set(std::string_view name, std::string_view value, Handler<void> done,
                           std::chrono::milliseconds timeout) {
    ok_command(*impl_, "SET " + std::string(name) + " " + std::string(value), std::move(done),
               timeout);
}
void WpaControl::async_detach(Handler<void> done, std::chrono::milliseconds timeout) {
    impl_->detach(std::move(done), timeout);
}

WpaControl::ListenerId WpaControl::add_listener(Listener listener) {
    return impl_->add_listener(std::move(listener));
}
void WpaControl::remove_listener(ListenerId id) { impl_->remove_listener(id); }
bool WpaControl::attached() const { return impl_->attached(); }
std::uint64_t WpaControl::attach_count() const { return impl_->attach_count(); }
std::uint64_t WpaControl::stray_datagrams() const { return impl_->stray_datagrams(); }
std::filesystem::path WpaControl::client_path() const { return impl_->client_path(); }
const WpaControlOptions& WpaControl::options() const { return impl_->options(); }

}  // namespace lintel::wpa
