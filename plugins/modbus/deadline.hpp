// A deadline for one I/O operation at a time: when it passes, a callback cancels the operation.
// Shared by the TCP link and the serial link.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace lintel::modbus {

class Deadline {
public:
    explicit Deadline(asio::any_io_executor executor)
        : timer_(std::move(executor)), state_(std::make_shared<State>()) {}

    // Calls `on_expiry` at `deadline` unless disarm() or cancel() comes first. The callback may
    // outlive the owner of this object (it is queued on the loop): capture weak references.
    void arm(std::chrono::steady_clock::time_point deadline, std::function<void()> on_expiry) {
        const std::uint64_t generation = ++state_->generation;
        state_->expired = false;
        timer_.expires_at(deadline);
        // A deadline whose handler was already queued when its operation completed must not
        // cancel the next operation: the generation tells them apart.
        timer_.async_wait([state = state_, generation,
                           on_expiry = std::move(on_expiry)](boost::system::error_code ec) {
            if (ec || state->generation != generation) return;
            state->expired = true;
            on_expiry();
        });
    }
    // Ends the deadline of the operation just finished; true if it had expired (the operation
    // was cancelled by it).
    bool disarm() {
        cancel();
        const bool expired = state_->expired;
        state_->expired = false;
        return expired;
    }
    void cancel() {
        ++state_->generation;
        timer_.cancel();
    }

private:
    struct State {
        std::uint64_t generation = 0;
        bool expired = false;
    };
    asio::steady_timer timer_;
    std::shared_ptr<State> state_;
};

}  // namespace lintel::modbus
