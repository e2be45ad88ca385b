// COV subscription scheduling (see cov_schedule.hpp).
#include "cov_schedule.hpp"

#include <algorithm>

namespace lintel::bacnet {

bool CovSubscription::subscribe_due(Clock::time_point now) const {
    switch (state_) {
        case State::unsubscribed:
            return true;
        case State::active:
            return now >= renew_at_;
        case State::refused:
        case State::failed:
            return now >= retry_at_;
    }
    return true;
}

bool CovSubscription::silent(Clock::time_point now) const {
    return state_ == State::active && awaiting_notification_ && now >= notify_deadline_;
}

bool CovSubscription::needs_polling(Clock::time_point now) const {
    if (state_ != State::active) return true;
    return silent(now) || now >= expires_at_;
}

std::optional<CovSubscription::Clock::time_point> CovSubscription::next_event() const {
    switch (state_) {
        case State::unsubscribed:
            return Clock::time_point{};  // due now
        case State::active: {
            auto t = std::min(renew_at_, expires_at_);
            if (awaiting_notification_) t = std::min(t, notify_deadline_);
            return t;
        }
        case State::refused:
        case State::failed:
            return retry_at_;
    }
    return std::nullopt;
}

void CovSubscription::subscribed(Clock::time_point asked, Clock::time_point now) {
    state_ = State::active;
    const auto lifetime = std::chrono::duration_cast<Clock::duration>(timing_.lifetime);
    renew_at_ = now + lifetime * 2 / 3;
    expires_at_ = now + lifetime;
    awaiting_notification_ = !(last_notification_ && *last_notification_ >= asked);
    notify_deadline_ = now + timing_.notification_grace;
}

void CovSubscription::refused(Clock::time_point now) {
    state_ = State::refused;
    retry_at_ = now + timing_.lifetime;
    awaiting_notification_ = false;
}

void CovSubscription::failed(Clock::time_point now) {
    state_ = State::failed;
    retry_at_ = now + timing_.retry_after_failure;
    awaiting_notification_ = false;
}

void CovSubscription::notified(Clock::time_point now) {
    awaiting_notification_ = false;
    last_notification_ = now;
}

void CovSubscription::forget() {
    state_ = State::unsubscribed;
    awaiting_notification_ = false;
}

}  // namespace lintel::bacnet
