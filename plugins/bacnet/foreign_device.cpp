// Foreign-device registration (see foreign_device.hpp).
#include "foreign_device.hpp"

#include <algorithm>

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kFirstRetry = 5s;

std::string seconds_text(std::chrono::milliseconds d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

}  // namespace

ForeignDevice::ForeignDevice(asio::any_io_executor executor, BbmdConfig bbmd, Send send, Logger log,
                             std::function<void()> on_registered)
    : bbmd_(bbmd),
      send_(std::move(send)),
      log_(std::move(log)),
      on_registered_(std::move(on_registered)),
      timer_(std::move(executor)) {}

void ForeignDevice::start() {
    stopped_ = false;
    send_registration();
}

void ForeignDevice::stop() {
    stopped_ = true;
    ++generation_;
    timer_.cancel();
}

void ForeignDevice::arm(std::chrono::milliseconds after, bool answer_timeout) {
    const std::uint64_t generation = ++generation_;
    awaiting_answer_ = answer_timeout;
    timer_.expires_after(after);
    timer_.async_wait(
        [weak = weak_from_this(), generation, answer_timeout](boost::system::error_code ec) {
            auto self = weak.lock();
            if (ec || self == nullptr || self->stopped_ || self->generation_ != generation) return;
            if (answer_timeout) {
                self->retry_later("no answer within " + seconds_text(kAnswerTimeout));
            } else {
                self->send_registration();
            }
        });
}

void ForeignDevice::send_registration() {
    if (stopped_) return;
    const auto ttl = static_cast<std::uint16_t>(bbmd_.ttl.count());
    auto sent = send_(encode_register_foreign_device(ttl), bbmd_.address);
    if (!sent) {
        retry_later(sent.error().message);
        return;
    }
    arm(kAnswerTimeout, true);
}

void ForeignDevice::retry_later(const std::string& why) {
    const auto half_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(bbmd_.ttl) / 2;
    backoff_ = backoff_.count() == 0 ? std::min(kFirstRetry, half_ttl)
                                     : std::min(backoff_ * 2, std::max(half_ttl, kFirstRetry));
    if (!registered()) registered_ = false;
    if (!failing_) {
        log_().warning("registration as a foreign device with the BBMD at " +
                           to_string(bbmd_.address) + " failed: " + why +
                           "; devices beyond it cannot be discovered until it works; trying again "
                           "every " +
                           seconds_text(backoff_) + " or less",
                       {{"BBMD", to_string(bbmd_.address)}});
        failing_ = true;
    }
    arm(backoff_, false);
}

void ForeignDevice::on_result(std::uint16_t code) {
    if (stopped_) return;
    if (code == bvlc_result::distribute_broadcast_to_network_nak) {
        // The BBMD does not know us (it restarted, or our entry lapsed): register again now.
        log_().warning("the BBMD at " + to_string(bbmd_.address) +
                           " refused to distribute a broadcast (it does not know us); registering "
                           "again",
                       {{"BBMD", to_string(bbmd_.address)}});
        registered_ = false;
        send_registration();
        return;
    }
    if (!awaiting_answer_) return;  // a late or unrelated result
    if (code != bvlc_result::successful_completion) {
        retry_later(std::string(bvlc_result_text(code)));
        return;
    }
    ++registrations_;
    const bool first = !registered_;
    registered_ = true;
    valid_until_ = Clock::now() + bbmd_.ttl + 30s;  // J.5.2.3: the BBMD adds 30 s of grace
    backoff_ = 0ms;
    const auto renew = std::chrono::duration_cast<std::chrono::milliseconds>(bbmd_.ttl) / 2;
    if (first || failing_) {
        log_().info("registered as a foreign device with the BBMD at " + to_string(bbmd_.address) +
                        " (TTL " + seconds_text(bbmd_.ttl) + "); renewing every " +
                        seconds_text(renew),
                    {{"BBMD", to_string(bbmd_.address)}});
    }
    failing_ = false;
    arm(renew, false);
    if (first && on_registered_) on_registered_();
}

}  // namespace lintel::bacnet
