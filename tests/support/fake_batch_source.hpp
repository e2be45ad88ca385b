// Test support: an in-memory lintel::store::BatchSource with the store's contract (rewind, ack),
// for uplink tests and benches.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lintel/asio.hpp"
#include "store/batch_source.hpp"

namespace lintel::test {

// Single-threaded: use it on the loop's thread. next_batch() answers through asio::post, as the
// real store does (never inline), so callers meet the same re-entrancy as in production.
class FakeBatchSource : public store::BatchSource {
public:
    explicit FakeBatchSource(asio::any_io_executor ex) : ex_(std::move(ex)) {}

    // Appends a batch (seq = next number from 1) and wakes an idle uplink. Returns its seq.
    std::uint64_t add(std::string payload, std::size_t points = 1) {
        std::uint64_t seq = next_seq_++;
        batches_.emplace(seq, store::Batch{seq, std::move(payload), points, {}});
        if (listener_) asio::post(ex_, listener_);
        return seq;
    }
    // Appends a batch without waking anyone (to test that the uplink does not poll).
    std::uint64_t add_silently(std::string payload, std::size_t points = 1) {
        auto l = std::move(listener_);
        listener_ = nullptr;
        auto seq = add(std::move(payload), points);
        listener_ = std::move(l);
        return seq;
    }
    void fail_next(std::string message) { fail_next_ = std::move(message); }

    void next_batch(store::BatchLimits limits,
                    std::function<void(Expected<std::optional<store::Batch>>)> done) override {
        ++next_calls_;
        last_limits_ = limits;
        if (fail_next_) {
            auto msg = std::move(*fail_next_);
            fail_next_.reset();
            asio::post(ex_, [done = std::move(done), msg] { done(make_error("store.test", msg)); });
            return;
        }
        std::optional<store::Batch> out;
        auto it = batches_.upper_bound(cursor_);
        if (it != batches_.end()) {
            cursor_ = it->first;
            out = it->second;
            handed_out_.push_back(it->first);
        }
        asio::post(ex_, [done = std::move(done), out = std::move(out)]() mutable {
            done(std::move(out));
        });
    }
    void acknowledge(std::uint64_t seq) override {
        acked_.push_back(seq);
        batches_.erase(seq);
    }
    void rewind() override {
        ++rewinds_;
        cursor_ = 0;
    }
    void on_data_available(std::function<void()> listener) override {
        listener_ = std::move(listener);
    }

    // Observations for assertions.
    const std::vector<std::uint64_t>& acked() const { return acked_; }
    const std::vector<std::uint64_t>& handed_out() const { return handed_out_; }
    std::size_t unacked() const { return batches_.size(); }
    int rewinds() const { return rewinds_; }
    int next_calls() const { return next_calls_; }
    const store::BatchLimits& last_limits() const { return last_limits_; }
    bool has_listener() const { return static_cast<bool>(listener_); }

private:
    asio::any_io_executor ex_;
    std::map<std::uint64_t, store::Batch> batches_;  // unacknowledged, by seq
    std::uint64_t next_seq_ = 1;
    std::uint64_t cursor_ = 0;  // last seq handed out on this connection
    std::function<void()> listener_;
    std::optional<std::string> fail_next_;
    std::vector<std::uint64_t> acked_;
    std::vector<std::uint64_t> handed_out_;
    store::BatchLimits last_limits_;
    int rewinds_ = 0;
    int next_calls_ = 0;
};

}  // namespace lintel::test
