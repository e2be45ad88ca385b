// StoreService: the writer thread, commit grouping, ack grouping and loop-side callbacks.
#include "store_service.hpp"

#include <algorithm>
#include <iterator>
#include <string>

namespace lintel::store {
namespace {

constexpr std::chrono::seconds kErrorLogInterval{60};

}  // namespace

Expected<std::unique_ptr<StoreService>> StoreService::start(StoreOptions options,
                                                            asio::any_io_executor loop,
                                                            sdk::Logger& log) {
    options.commit_batch = std::max<std::size_t>(1, options.commit_batch);
    options.max_pending = std::max(options.max_pending, options.commit_batch);
    auto buffer = Buffer::open(options.buffer, log);
    if (!buffer) return std::unexpected(buffer.error());
    std::unique_ptr<StoreService> service(
        new StoreService(std::move(options), std::move(loop), log, std::move(*buffer)));
    return service;
}

StoreService::StoreService(StoreOptions options, asio::any_io_executor loop, sdk::Logger& log,
                           std::unique_ptr<Buffer> buffer)
    : options_(std::move(options)), loop_(std::move(loop)), log_(log), buffer_(std::move(buffer)) {
    snapshot_ = buffer_->stats();
    pending_.reserve(options_.commit_batch);
    committing_.reserve(options_.commit_batch);
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
}

StoreService::~StoreService() { stop(); }

// ---- loop side ----

std::size_t StoreService::ingest_room() const {
    std::lock_guard lock(mu_);
    if (stopped_) return 0;
    const std::size_t used = pending_.size() + in_commit_;
    return used >= options_.max_pending ? 0 : options_.max_pending - used;
}

std::size_t StoreService::ingest(std::vector<sdk::PointValue> points) {
    const std::size_t total = points.size();
    if (total == 0) return 0;
    std::size_t taken = 0;
    bool post_commit = false, post_timer = false;
    {
        std::lock_guard lock(mu_);
        if (!stopped_) {
            const std::size_t used = pending_.size() + in_commit_;
            taken = std::min(total, used >= options_.max_pending ? 0 : options_.max_pending - used);
        }
        if (taken == total && pending_.empty()) {
            pending_.swap(points);  // the common case: hand the caller's vector over whole
        } else {
            pending_.insert(
                pending_.end(), std::make_move_iterator(points.begin()),
                std::make_move_iterator(points.begin() + static_cast<std::ptrdiff_t>(taken)));
        }
        if (pending_.size() >= options_.commit_batch) {
            post_commit = !commit_posted_;
            commit_posted_ = true;
        } else if (taken > 0 && !timer_posted_) {
            post_timer = true;
            timer_posted_ = true;
        }
        ingest_overflow_ += total - taken;
    }
    if (post_commit) asio::post(io_, [this] { (void)commit_pending(); });
    if (post_timer) asio::post(io_, [this] { arm_timer(options_.commit_interval); });

    const std::size_t refused = total - taken;
    if (refused > 0) {
        unlogged_overflow_ += refused;
        const auto now = std::chrono::steady_clock::now();
        if (!last_overflow_log_ || now - *last_overflow_log_ >= kErrorLogInterval) {
            last_overflow_log_ = now;
            const std::string count = std::to_string(unlogged_overflow_);
            unlogged_overflow_ = 0;
            log_.warning(
                "store queue full: refused points because the buffer's disk writes fall behind "
                "the devices (or the store is stopped); they are counted in ingest_overflow",
                {{"REFUSED", count}});
        }
    }
    return taken;
}

void StoreService::next_batch(BatchLimits limits,
                              std::function<void(Expected<std::optional<Batch>>)> done) {
    {
        std::lock_guard lock(mu_);
        if (stopped_) {
            asio::post(loop_, [done = std::move(done)] {
                done(make_error("store.stopped", "the store is stopped (shutting down)"));
            });
            return;
        }
    }
    asio::post(io_, [this, limits, done = std::move(done)]() mutable {
        auto result = buffer_->next_batch(limits);
        if (!result)
            log_.error("cannot read the next telemetry batch", {{"ERROR", result.error().message}});
        publish_stats();
        asio::post(loop_, [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    });
}

void StoreService::acknowledge(std::uint64_t seq) {
    bool post = false;
    {
        std::lock_guard lock(mu_);
        if (stopped_) return;  // re-sent after restart: at-least-once
        acks_.push_back(seq);
        post = !acks_posted_;
        acks_posted_ = true;
    }
    // Acks arriving while the writer is busy pile up behind this task and go in one transaction.
    if (post) asio::post(io_, [this] { (void)flush_acks(); });
}

void StoreService::rewind() {
    {
        std::lock_guard lock(mu_);
        if (stopped_) return;
    }
    asio::post(io_, [this] { buffer_->rewind(); });
}

void StoreService::on_data_available(std::function<void()> listener) {
    std::lock_guard lock(shared_->mu);
    shared_->listener = std::move(listener);
}

void StoreService::flush(std::function<void(Expected<void>)> done) {
    {
        std::lock_guard lock(mu_);
        if (stopped_) {  // stop() already committed everything it could
            asio::post(loop_, [done = std::move(done)] { done({}); });
            return;
        }
    }
    asio::post(io_, [this, done = std::move(done)]() mutable {
        auto r = commit_pending();
        auto a = flush_acks();
        Expected<void> result = !r ? r : a;
        asio::post(loop_, [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    });
}

void StoreService::stop() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mu_);
        stopped_ = true;
    }
    asio::post(io_, [this] {
        auto r = commit_pending();
        (void)flush_acks();
        if (!r || !retry_.empty()) {
            const std::string count = std::to_string(retry_.size());
            log_.error("store stopped with points it could not commit; they are lost",
                       {{"LOST", count}, {"ERROR", r ? std::string() : r.error().message}});
        }
        commit_timer_.cancel();
        work_.reset();
    });
    thread_.join();
    publish_stats();
    buffer_.reset();  // closes the database; the writer thread is gone
}

BufferStats StoreService::stats() const {
    std::lock_guard lock(mu_);
    BufferStats s = snapshot_;
    s.ingest_overflow = ingest_overflow_;
    return s;
}

// ---- writer thread ----

void StoreService::arm_timer(std::chrono::milliseconds delay) {
    commit_timer_.expires_after(delay);
    commit_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) (void)commit_pending();
    });
}

Expected<void> StoreService::commit_pending() {
    {
        std::lock_guard lock(mu_);
        committing_.swap(pending_);
        in_commit_ = committing_.size() + retry_.size();
        commit_posted_ = false;
        timer_posted_ = false;
    }
    commit_timer_.cancel();
    if (!retry_.empty()) {  // older points first
        retry_.insert(retry_.end(), std::make_move_iterator(committing_.begin()),
                      std::make_move_iterator(committing_.end()));
        committing_.swap(retry_);
        retry_.clear();
    }
    if (committing_.empty()) return {};

    auto r = buffer_->append(committing_);
    if (r) {
        committing_.clear();
        // A burst grew the vector: give the memory back rather than keep the peak forever.
        if (committing_.capacity() > 2 * options_.commit_batch) {
            committing_.shrink_to_fit();
            committing_.reserve(options_.commit_batch);
        }
        {
            std::lock_guard lock(mu_);
            in_commit_ = 0;
        }
        publish_stats();
        notify_data();
        return {};
    }
    // Keep the points and try again: a full disk or a lock held by an operator's sqlite3 is
    // often temporary. Meanwhile ingest() refuses once max_pending is reached.
    const auto now = std::chrono::steady_clock::now();
    if (!last_error_log_ || now - *last_error_log_ >= kErrorLogInterval) {
        last_error_log_ = now;
        const std::string count = std::to_string(committing_.size());
        log_.error(
            "cannot commit telemetry to the buffer; keeping the points in memory and retrying",
            {{"POINTS", count}, {"ERROR", r.error().message}});
    }
    retry_.swap(committing_);
    committing_.clear();
    {
        std::lock_guard lock(mu_);
        in_commit_ = retry_.size();
        timer_posted_ = true;  // the retry timer below stands for the interval timer
    }
    arm_timer(options_.retry_interval);
    publish_stats();
    return r;
}

Expected<void> StoreService::flush_acks() {
    std::vector<std::uint64_t> seqs;
    {
        std::lock_guard lock(mu_);
        seqs.swap(acks_);
        acks_posted_ = false;
    }
    if (seqs.empty()) return {};
    auto r = buffer_->acknowledge(seqs);
    if (!r) {
        // The batches stay and are re-sent after the next reconnect: duplicates, not loss.
        log_.error("cannot delete acknowledged telemetry from the buffer; it will be sent again",
                   {{"ERROR", r.error().message}});
    }
    publish_stats();
    return r;
}

void StoreService::publish_stats() {
    if (!buffer_) return;
    BufferStats s = buffer_->stats();
    std::lock_guard lock(mu_);
    snapshot_ = std::move(s);
}

void StoreService::notify_data() {
    // One notification in flight at a time: a busy loop gets one call for many commits.
    if (shared_->notify_posted.exchange(true)) return;
    asio::post(loop_, [shared = shared_] {
        shared->notify_posted = false;
        std::function<void()> listener;
        {
            std::lock_guard lock(shared->mu);
            listener = shared->listener;
        }
        if (listener) listener();
    });
}

}  // namespace lintel::store
