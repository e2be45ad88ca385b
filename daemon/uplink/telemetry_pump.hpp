// Moves telemetry from the store to the broker while connected: pulls batches, keeps up to
// max_in_flight QoS 1 publishes outstanding, acknowledges to the store only on a good PUBACK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "store/batch_source.hpp"

namespace lintel::uplink {

struct PumpCounters {
    std::uint64_t published_batches = 0;  // PUBLISH handed to the client
    std::uint64_t published_points = 0;
    std::uint64_t acked_batches = 0;     // PUBACK < 0x80, acknowledged to the store
    std::uint64_t rejected_batches = 0;  // PUBACK >= 0x80 (e.g. 0x87 not authorised): kept
};

class TelemetryPump {
public:
    // Publishes one batch (QoS 1) on the current connection; returns the message id.
    using PublishFn = std::function<Expected<int>(const store::Batch& batch)>;

    TelemetryPump(asio::any_io_executor executor, store::BatchSource& source, sdk::Logger& log,
                  store::BatchLimits limits, std::size_t max_in_flight);
    ~TelemetryPump();
    TelemetryPump(const TelemetryPump&) = delete;
    TelemetryPump& operator=(const TelemetryPump&) = delete;

    // A connection is up: rewind the source (unacknowledged batches first), then pull.
    void start(PublishFn publish);
    // The connection is gone (or stopping): publish nothing more. In-flight batches stay
    // unacknowledged in the store and are handed out again after the next start()'s rewind.
    void stop();
    // Clean shutdown: publish nothing more, but still acknowledge PUBACKs of what is in flight
    // (fewer duplicates after a restart). stop() follows when the connection closes.
    void drain();
    // The store has new data (wire BatchSource::on_data_available to this).
    void data_available();
    // A PUBACK for `mid`; false if the mid is not one of ours (e.g. a status message).
    bool on_puback(int mid, int reason_code, const std::string& reason_text);

    bool active() const { return active_; }
    std::size_t in_flight() const { return in_flight_.size(); }
    const PumpCounters& counters() const { return counters_; }

private:
    void pull();
    void on_batch(std::uint64_t generation, Expected<std::optional<store::Batch>> result);

    asio::any_io_executor executor_;
    store::BatchSource& source_;
    sdk::Logger& log_;
    store::BatchLimits limits_;
    std::size_t max_in_flight_;
    PublishFn publish_;
    asio::steady_timer retry_timer_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // guards callbacks from the source

    bool active_ = false;
    std::uint64_t generation_ = 0;  // one per connection; late answers from an old one are dropped
    bool fetch_pending_ = false;
    bool rewind_pending_ = false;  // rewind once the old connection's fetch has come back
    bool wake_pending_ = false;    // data arrived while a fetch was out
    bool stalled_ = false;         // a publish failed: wait for the next connection
    std::unordered_map<int, std::uint64_t> in_flight_;  // mid -> seq
    std::uint64_t rejected_this_connection_ = 0;
    PumpCounters counters_;
};

}  // namespace lintel::uplink
