// WpaControl::async_await_authorized: an AuthTracker fed by a listener and by STATUS (asked at
// the start, when an event hints at success, after a re-attach, and every poll interval).
#include <algorithm>

#include "wpa/wpa_control.hpp"
#include "wpa/wpa_control_impl.hpp"

namespace lintel::wpa {
namespace {

using Clock = std::chrono::steady_clock;
using boost::system::error_code;

class Waiter : public std::enable_shared_from_this<Waiter> {
public:
    Waiter(std::shared_ptr<WpaControl::Impl> impl, AwaitOptions options,
           WpaControl::Handler<Authorized> done)
        : impl_(std::move(impl)),
          options_(options),
          done_(std::move(done)),
          tracker_(options.policy),
          deadline_(impl_->executor()),
          poll_(impl_->executor()),
          started_(Clock::now()) {}

    void start() {
        std::weak_ptr<Waiter> weak = weak_from_this();
        listener_ = impl_->add_listener(Listener{[weak](const Event& e) {
                                                     if (auto self = weak.lock())
                                                         self->handle(self->tracker_.on_event(e));
                                                 },
                                                 [weak](const LinkChange& change) {
                                                     if (auto self = weak.lock())
                                                         self->on_link(change);
                                                 },
                                                 {}});
        deadline_.expires_after(options_.deadline);
        deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (!ec) self->finish(std::unexpected(self->timeout_error()));
        });
        check_status();
        arm_poll();
    }

private:
    void on_link(const LinkChange& change) {
        if (change.kind == LinkChange::Kind::attached) {
            handle(tracker_.on_reattached());
            return;
        }
        if (change.error && change.error->code == reason::closed) {
            finish(std::unexpected(*change.error));
            return;
        }
        if (change.error) last_error_ = change.error->message;  // it may come back in time
    }

    void arm_poll() {
        if (options_.poll_interval.count() <= 0) return;
        poll_.expires_after(options_.poll_interval);
        poll_.async_wait([self = shared_from_this()](const error_code& ec) {
            if (ec || self->finished_) return;
            self->check_status();
            self->arm_poll();
        });
    }

    void check_status() {
        if (finished_) return;
        if (status_in_flight_) {
            recheck_ = true;
            return;
        }
        status_in_flight_ = true;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            started_ + options_.deadline - Clock::now());
        const auto timeout =
            std::clamp(left, std::chrono::milliseconds(1), impl_->options().command_timeout);
        impl_->request("STATUS", timeout, [self = shared_from_this()](Expected<std::string> reply) {
            self->status_in_flight_ = false;
            if (self->finished_) return;
            if (!reply) {
                self->last_error_ = reply.error().message;
            } else if (auto status = parse_status(*reply); !status) {
                self->last_error_ = status.error().message;
            } else {
                self->handle(self->tracker_.on_status(*status));
            }
            if (self->recheck_ && !self->finished_) {
                self->recheck_ = false;
                self->check_status();
            }
        });
    }

    void handle(AuthTracker::Verdict verdict) {
        if (finished_) return;
        switch (verdict) {
            case AuthTracker::Verdict::pending:
                return;
            case AuthTracker::Verdict::check_status:
                check_status();
                return;
            case AuthTracker::Verdict::authorized:
                finish(Authorized{*tracker_.last_status(), elapsed()});
                return;
            case AuthTracker::Verdict::failed:
                finish(std::unexpected(Error{std::string(reason::auth_failed),
                                             impl_->where() + ": " + tracker_.failure_reason()}));
                return;
        }
    }

    Error timeout_error() const {
        std::string message = impl_->where() + ": not authorized within " +
                              std::to_string(options_.deadline.count()) + " ms";
        if (const auto& s = tracker_.last_status()) message += "; last state: " + summary(*s);
        if (!tracker_.failure_reason().empty()) {
            message += "; last failure: " + tracker_.failure_reason();
        }
        if (!last_error_.empty()) message += "; last error: " + last_error_;
        return Error{std::string(reason::auth_timeout), std::move(message)};
    }

    std::chrono::milliseconds elapsed() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    }

    void finish(Expected<Authorized> result) {
        if (finished_) return;
        finished_ = true;
        impl_->remove_listener(listener_);
        deadline_.cancel();
        poll_.cancel();
        impl_->post(std::move(done_), std::move(result));
    }

    std::shared_ptr<WpaControl::Impl> impl_;
    AwaitOptions options_;
    WpaControl::Handler<Authorized> done_;
    AuthTracker tracker_;
    asio::steady_timer deadline_;
    asio::steady_timer poll_;
    Clock::time_point started_;
    WpaControl::ListenerId listener_ = 0;
    std::string last_error_;
    bool status_in_flight_ = false;
    bool recheck_ = false;
    bool finished_ = false;
};

}  // namespace

void WpaControl::async_await_authorized(AwaitOptions options, Handler<Authorized> done) {
    std::make_shared<Waiter>(impl_, options, std::move(done))->start();
}

}  // namespace lintel::wpa
