// The telemetry pump: store -> PUBLISH (QoS 1) -> PUBACK -> store acknowledge.
#include "uplink/telemetry_pump.hpp"

#include <cstdio>

namespace lintel::uplink {
namespace {
using namespace std::chrono_literals;
constexpr auto kStoreRetry = 1s;
}  // namespace

TelemetryPump::TelemetryPump(asio::any_io_executor executor, store::BatchSource& source,
                             sdk::Logger& log, store::BatchLimits limits, std::size_t max_in_flight)
    : executor_(executor),
      source_(source),
      log_(log),
      limits_(limits),
      max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight),
      retry_timer_(executor) {}

TelemetryPump::~TelemetryPump() { retry_timer_.cancel(); }

void TelemetryPump::start(PublishFn publish) {
    publish_ = std::move(publish);
    active_ = true;
    stalled_ = false;
    ++generation_;
    in_flight_.clear();
    rejected_this_connection_ = 0;
    // Rewinding while the previous connection's next_batch() is still out could let that
    // answer consume a batch after the rewind; so rewind only once it has come back.
    if (fetch_pending_) {
        rewind_pending_ = true;
        return;
    }
    rewind_pending_ = false;
    source_.rewind();
    pull();
}

void TelemetryPump::stop() {
    active_ = false;
    ++generation_;
    in_flight_.clear();
    wake_pending_ = false;
    retry_timer_.cancel();
    publish_ = nullptr;
}

void TelemetryPump::drain() {
    active_ = false;
    ++generation_;  // a fetch still out is dropped; its batch stays in the store
    wake_pending_ = false;
    retry_timer_.cancel();
}

void TelemetryPump::data_available() {
    if (!active_) return;
    if (fetch_pending_) {
        wake_pending_ = true;
        return;
    }
    pull();
}

void TelemetryPump::pull() {
    if (!active_ || stalled_ || fetch_pending_ || rewind_pending_) return;
    if (in_flight_.size() >= max_in_flight_) return;  // the next PUBACK pulls again
    fetch_pending_ = true;
    wake_pending_ = false;
    std::weak_ptr<int> alive = alive_;
    const auto generation = generation_;
    source_.next_batch(limits_, [this, alive, generation](Expected<std::optional<store::Batch>> r) {
        if (alive.expired()) return;
        on_batch(generation, std::move(r));
    });
}

void TelemetryPump::on_batch(std::uint64_t generation,
                             Expected<std::optional<store::Batch>> result) {
    fetch_pending_ = false;
    if (generation != generation_ || !active_) {
        // An answer for a connection that is gone: drop it; the store hands the batch out
        // again after the rewind below (or after the next connection's).
        if (rewind_pending_ && active_) {
            rewind_pending_ = false;
            source_.rewind();
            pull();
        }
        return;
    }
    if (!result) {
        log_.warning("uplink: the store could not hand out a batch; retrying in 1 s",
                     {{"ERROR", result.error().message}});
        std::weak_ptr<int> alive = alive_;
        retry_timer_.expires_after(kStoreRetry);
        retry_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
            if (!ec && !alive.expired()) pull();
        });
        return;
    }
    if (!*result) {
        // Idle until on_data_available, unless data arrived while we were asking.
        if (wake_pending_) pull();
        return;
    }
    store::Batch& batch = **result;
    auto mid = publish_(batch);
    if (!mid) {
        // Usually the connection is dying and on_disconnect follows; the batch stays in the
        // store. Pull nothing more on this connection.
        stalled_ = true;
        log_.warning("uplink: publishing a telemetry batch failed; it stays buffered",
                     {{"SEQ", std::to_string(batch.seq)}, {"ERROR", mid.error().message}});
        return;
    }
    in_flight_.emplace(*mid, batch.seq);
    ++counters_.published_batches;
    counters_.published_points += batch.points;
    pull();
}

bool TelemetryPump::on_puback(int mid, int reason_code, const std::string& reason_text) {
    auto it = in_flight_.find(mid);
    if (it == in_flight_.end()) return false;
    const auto seq = it->second;
    in_flight_.erase(it);
    if (reason_code < 0x80) {  // 0x00 success, 0x10 no matching subscribers: both delivered
        source_.acknowledge(seq);
        ++counters_.acked_batches;
    } else {
        ++counters_.rejected_batches;
        ++rejected_this_connection_;
        // Once per connection (then every 1000th): a misconfigured ACL refuses every batch.
        if (rejected_this_connection_ == 1 || rejected_this_connection_ % 1000 == 0) {
            char code[16];
            std::snprintf(code, sizeof code, "0x%02x", static_cast<unsigned>(reason_code) & 0xffu);
            log_.error(
                "uplink: broker refused a telemetry batch; it stays buffered and is re-sent "
                "after the next reconnect (check the broker ACL for this gateway)",
                {{"SEQ", std::to_string(seq)},
                 {"REASON", reason_text},
                 {"CODE", code},
                 {"REFUSED_ON_THIS_CONNECTION", std::to_string(rejected_this_connection_)}});
        }
    }
    pull();
    return true;
}

}  // namespace lintel::uplink
