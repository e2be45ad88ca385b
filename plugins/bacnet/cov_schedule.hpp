// The life of one object's COV subscription as the gateway sees it: when to subscribe, renew
// (at 2/3 of the lifetime, so a lost renewal can be retried before the device forgets us) and
// retry, and when the object must be polled instead: subscription refused or unanswered, or no
// notification after (re)subscribing although a device must send one (135-2016 13.14.1.1.5).
// Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace lintel::bacnet {

struct CovTiming {
    std::chrono::seconds lifetime{600};
    // How long the first notification after a (re)subscription may take before the object is
    // polled instead.
    std::chrono::milliseconds notification_grace{3000};
    // Wait before subscribing again after SubscribeCOV went unanswered. A refusal waits one
    // lifetime: a device that says no rarely changes its mind sooner.
    std::chrono::milliseconds retry_after_failure{30000};
};

class CovSubscription {
public:
    using Clock = std::chrono::steady_clock;
    enum class State : std::uint8_t { unsubscribed, active, refused, failed };

    explicit CovSubscription(CovTiming timing) : timing_(timing) {}

    State state() const { return state_; }
    // Whether a SubscribeCOV should go out now (first time, renewal or retry).
    bool subscribe_due(Clock::time_point now) const;
    // Whether the object's values must come from polling now.
    bool needs_polling(Clock::time_point now) const;
    // True when subscribed but the notification expected after it has not come in time.
    bool silent(Clock::time_point now) const;
    // The next time subscribe_due or needs_polling may change on its own; nullopt: never.
    std::optional<Clock::time_point> next_event() const;

    // The device acknowledged the SubscribeCOV sent at `asked`. Its first notification may have
    // overtaken the acknowledgement (both are in flight at once): one since `asked` counts.
    void subscribed(Clock::time_point asked, Clock::time_point now);
    void refused(Clock::time_point now);   // Error, Reject or Abort
    void failed(Clock::time_point now);    // no answer
    void notified(Clock::time_point now);  // a notification for this object arrived
    void forget();                         // the device restarted: subscribe again at once

    Clock::time_point renew_at() const { return renew_at_; }
    Clock::time_point expires_at() const { return expires_at_; }

private:
    CovTiming timing_;
    State state_ = State::unsubscribed;
    Clock::time_point renew_at_{};
    Clock::time_point expires_at_{};
    Clock::time_point retry_at_{};
    Clock::time_point notify_deadline_{};
    bool awaiting_notification_ = false;
    std::optional<Clock::time_point> last_notification_;
};

}  // namespace lintel::bacnet
