// Per-device request queue with a concurrency limit (see channel.hpp).
#include "channel.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace lintel::bacnet {

Channel::Channel(std::shared_ptr<Network> network, RequestTiming timing, int max_concurrent)
    : network_(std::move(network)),
      timing_(timing),
      max_concurrent_(static_cast<std::size_t>(std::max(1, max_concurrent))) {}

void Channel::submit(ApduBuilder build, ResponseHandler done, bool urgent) {
    if (closed_) {
        asio::post(network_->executor(), [done = std::move(done)] {
            done(make_error("bacnet.stopped", "the device is stopped"));
        });
        return;
    }
    Queued q{std::move(build), std::move(done)};
    if (urgent) {
        queue_.push_front(std::move(q));
    } else {
        queue_.push_back(std::move(q));
    }
    pump();
}

void Channel::pump() {
    while (!closed_ && !queue_.empty() && in_flight_.size() < max_concurrent_) {
        Queued q = std::move(queue_.front());
        queue_.pop_front();
        if (!peer_) {
            asio::post(network_->executor(), [done = std::move(q.done)] {
                done(make_error("bacnet.not_connected",
                                "the device's address is not known yet (no I-Am)"));
            });
            continue;
        }
        const std::uint64_t key = next_key_++;
        in_flight_[key].done = std::move(q.done);
        ++sent_;
        in_flight_[key].transaction = network_->request(
            *peer_, q.build, timing_, [weak = weak_from_this(), key](Expected<Response> result) {
                if (auto self = weak.lock()) self->finished(key, std::move(result));
            });
    }
}

void Channel::finished(std::uint64_t key, Expected<Response> result) {
    auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return;  // closed meanwhile: already answered bacnet.stopped
    ResponseHandler done = std::move(it->second.done);
    in_flight_.erase(it);
    pump();
    done(std::move(result));
}

void Channel::close() {
    if (closed_) return;
    closed_ = true;
    std::vector<ResponseHandler> pending;
    for (auto& [key, f] : in_flight_) {
        network_->cancel(f.transaction);
        pending.push_back(std::move(f.done));
    }
    in_flight_.clear();
    for (auto& q : queue_) pending.push_back(std::move(q.done));
    queue_.clear();
    for (auto& done : pending) {
        asio::post(network_->executor(), [done = std::move(done)] {
            done(make_error("bacnet.stopped", "the device is stopped"));
        });
    }
}

// call() and call_all() are not coroutines themselves: they return the awaitable that
// async_initiate makes. (g++ 12 destroys a lambda with captures twice when it is a temporary
// inside a co_await expression, so no such lambda may appear in one.)
asio::awaitable<Expected<Response>> Channel::call(ApduBuilder build, bool urgent) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(Expected<Response>)>(
        [self = shared_from_this(), build = std::move(build), urgent](auto handler) mutable {
            // ResponseHandler is a std::function (copyable); the awaitable's handler is not.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            self->submit(
                std::move(build),
                [shared](Expected<Response> r) mutable { (*shared)(std::move(r)); }, urgent);
        },
        asio::use_awaitable);
}

asio::awaitable<std::vector<Expected<Response>>> Channel::call_all(
    std::vector<ApduBuilder> builds) {
    return asio::async_initiate<const asio::use_awaitable_t<>&,
                                void(std::vector<Expected<Response>>)>(
        [self = shared_from_this(), builds = std::move(builds)](auto handler) mutable {
            struct Join {
                std::vector<Expected<Response>> results;
                std::size_t left = 0;
                decltype(handler) resume;
            };
            auto join = std::make_shared<Join>(Join{std::vector<Expected<Response>>(builds.size()),
                                                    builds.size(), std::move(handler)});
            if (builds.empty()) {
                asio::post(self->network_->executor(),
                           [join] { join->resume(std::move(join->results)); });
                return;
            }
            for (std::size_t i = 0; i < builds.size(); ++i) {
                self->submit(std::move(builds[i]), [join, i](Expected<Response> r) {
                    join->results[i] = std::move(r);
                    if (--join->left == 0) join->resume(std::move(join->results));
                });
            }
        },
        asio::use_awaitable);
}

ApduBuilder read_property(ReadPropertyRequest request) {
    return [request](std::uint8_t id) { return encode_read_property(id, request); };
}

ApduBuilder read_property_multiple(std::vector<ReadAccessSpec> specs) {
    return [specs = std::move(specs)](std::uint8_t id) {
        return encode_read_property_multiple(id, specs);
    };
}

ApduBuilder write_property(WritePropertyRequest request) {
    return [request](std::uint8_t id) { return encode_write_property(id, request); };
}

ApduBuilder subscribe_cov(SubscribeCovRequest request) {
    return [request](std::uint8_t id) { return encode_subscribe_cov(id, request); };
}

}  // namespace lintel::bacnet
