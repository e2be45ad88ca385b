// Foreign-device registration with a BBMD (ASHRAE 135 Annex J.5): register with a TTL, renew at
// half of it (the BBMD keeps an entry TTL + 30 s, so a lost renewal is retried in time), register
// again at once when the BBMD says it does not know us (a Distribute-Broadcast NAK after its
// restart). Until registered, broadcasts cannot be distributed: the owner holds them.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "config.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::bacnet {

class ForeignDevice : public std::enable_shared_from_this<ForeignDevice> {
public:
    using Clock = std::chrono::steady_clock;
    using Send = std::function<Expected<void>(std::span<const std::uint8_t>, const IpEndpoint&)>;
    using Logger = std::function<sdk::Logger&()>;

    // How long a BBMD may take to answer a registration before it is sent again.
    static constexpr std::chrono::milliseconds kAnswerTimeout{3000};

    ForeignDevice(asio::any_io_executor executor, BbmdConfig bbmd, Send send, Logger log,
                  std::function<void()> on_registered);
    ForeignDevice(const ForeignDevice&) = delete;
    ForeignDevice& operator=(const ForeignDevice&) = delete;

    void start();
    void stop();
    // A BVLC-Result that came from the BBMD's address.
    void on_result(std::uint16_t code);

    bool registered() const { return registered_ && Clock::now() < valid_until_; }
    std::uint64_t registrations() const { return registrations_; }
    const BbmdConfig& bbmd() const { return bbmd_; }

private:
    void send_registration();
    void arm(std::chrono::milliseconds after, bool answer_timeout);
    void retry_later(const std::string& why);

    BbmdConfig bbmd_;
    Send send_;
    Logger log_;
    std::function<void()> on_registered_;
    asio::steady_timer timer_;
    std::uint64_t generation_ = 0;
    bool awaiting_answer_ = false;
    bool registered_ = false;
    bool stopped_ = false;
    bool failing_ = false;  // a failure was logged; the next success says so
    Clock::time_point valid_until_{};
    std::chrono::milliseconds backoff_{0};
    std::uint64_t registrations_ = 0;
};

}  // namespace lintel::bacnet
