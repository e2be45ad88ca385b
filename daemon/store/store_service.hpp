// The buffer's asynchronous face for the daemon: one dedicated writer thread runs every SQLite
// call (so a commit or an fsync never stalls the network loop), points are grouped into one
// transaction per commit_interval or commit_batch, and results come back on the main loop.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "batch_source.hpp"
#include "buffer.hpp"
#include "buffer_stats.hpp"
#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "lintel/point.hpp"

namespace lintel::store {

struct StoreOptions {
    BufferOptions buffer;
    std::chrono::milliseconds commit_interval{50};  // buffer.commit_interval
    std::size_t commit_batch = 5000;                // buffer.commit_batch
    // Points waiting for (or in) a commit. Beyond it ingest() refuses points and counts them as
    // ingest_overflow: memory stays bounded when the disk is slower than the devices.
    // ~140 bytes each (PointValue), twice (one vector filling while the other commits).
    std::size_t max_pending = 10000;
    std::chrono::milliseconds retry_interval{1000};  // after a failed commit (disk full, locked)
};

class StoreService final : public BatchSource {
public:
    // Opens the buffer on the calling thread (so the daemon can refuse to start with a clear
    // error before READY=1), then starts the writer thread. `loop` is where every callback runs.
    // `log` is called from the writer thread too: it must be thread-safe.
    static Expected<std::unique_ptr<StoreService>> start(StoreOptions options,
                                                         asio::any_io_executor loop,
                                                         sdk::Logger& log);
    StoreService(const StoreService&) = delete;
    StoreService& operator=(const StoreService&) = delete;
    ~StoreService() override;  // stop()

    // Call on the loop. Queues points for the next commit and returns how many were taken; the
    // rest (queue full, or stopped) are refused and counted in ingest_overflow, never lost
    // silently.
    std::size_t ingest(std::vector<sdk::PointValue> points);
    // How many points ingest() would take now.
    std::size_t ingest_room() const;

    // BatchSource
    void next_batch(BatchLimits limits,
                    std::function<void(Expected<std::optional<Batch>>)> done) override;
    void acknowledge(std::uint64_t seq) override;
    void rewind() override;
    void on_data_available(std::function<void()> listener) override;

    // Commits every queued point and acknowledgement; `done` runs on the loop afterwards.
    void flush(std::function<void(Expected<void>)> done);
    // Commits everything queued, then joins the writer thread. Blocks the caller (shutdown only);
    // idempotent. Afterwards ingest() refuses and next_batch() completes with "store.stopped".
    void stop();

    // Thread-safe snapshot for STATUS= and the status message.
    BufferStats stats() const;

private:
    // State the loop-side callbacks share, so a callback still queued on the loop after the
    // service is gone does not touch freed memory.
    struct Shared {
        std::mutex mu;
        std::function<void()> listener;
        std::atomic<bool> notify_posted{false};
    };

    StoreService(StoreOptions options, asio::any_io_executor loop, sdk::Logger& log,
                 std::unique_ptr<Buffer> buffer);

    // Writer thread only.
    void arm_timer(std::chrono::milliseconds delay);
    Expected<void> commit_pending();
    Expected<void> flush_acks();
    void publish_stats();
    void notify_data();

    StoreOptions options_;
    asio::any_io_executor loop_;
    sdk::Logger& log_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();

    asio::io_context io_;  // the writer's own loop
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    asio::steady_timer commit_timer_{io_};
    std::thread thread_;

    // Writer thread only.
    std::unique_ptr<Buffer> buffer_;
    std::vector<sdk::PointValue>
        committing_;                      // swapped with pending_: two buffers, no reallocation
    std::vector<sdk::PointValue> retry_;  // points of a failed commit, committed first next time
    std::optional<std::chrono::steady_clock::time_point> last_error_log_;

    // Guarded by mu_.
    mutable std::mutex mu_;
    std::vector<sdk::PointValue> pending_;
    std::size_t in_commit_ = 0;  // points taken by the writer and not yet committed
    bool commit_posted_ = false;
    bool timer_posted_ = false;
    std::vector<std::uint64_t> acks_;
    bool acks_posted_ = false;
    bool stopped_ = false;
    BufferStats snapshot_;
    std::uint64_t ingest_overflow_ = 0;

    // Loop only: rate limit of the overflow warning.
    std::optional<std::chrono::steady_clock::time_point> last_overflow_log_;
    std::uint64_t unlogged_overflow_ = 0;
};

}  // namespace lintel::store
