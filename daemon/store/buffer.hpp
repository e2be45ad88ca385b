// The store-and-forward buffer: a synchronous, single-threaded queue of telemetry points in
// SQLite. Points are accepted once committed; rows leave only when the broker acknowledged the
// batch that carried them, or when buffer.max_bytes forces the oldest out (counted per device).
// StoreService runs it on its own thread; tests and the bench use it directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "batch_source.hpp"
#include "buffer_stats.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "lintel/point.hpp"
#include "schema.hpp"
#include "sqlite_db.hpp"

namespace lintel::store {

// Messages are never larger than this, whatever BatchLimits asks for (the uplink's hard limit).
inline constexpr std::size_t kMaxMessageBytes = 128 * 1024 - 1;

// What one stored row counts against max_bytes besides its string value: measured on-disk cost
// of a numeric row (record, cell pointer, b-tree fill), see docs/buffer.md.
inline constexpr std::uint64_t kRowOverheadBytes = 40;

struct BufferOptions {
    std::filesystem::path path = "/var/lib/lintel/buffer.db";
    std::uint64_t max_bytes = 256ull * 1024 * 1024;
    Synchronous synchronous = Synchronous::normal;
    std::string gateway_id;  // written into every telemetry message
    std::int64_t cache_kib = 1024;
    std::chrono::milliseconds drop_log_interval{
        60'000};  // at most one "buffer full" line per interval
};

class Buffer {
public:
    // Opens or creates the database. An unusable file (corrupt, not a database, newer schema)
    // is moved aside with an error logged and a fresh one is created; errors of the environment
    // (permissions, full disk, locked) are returned.
    static Expected<std::unique_ptr<Buffer>> open(BufferOptions options, sdk::Logger& log);

    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    // Commits all points in one transaction; on success they are accepted. May drop the oldest
    // points to stay within max_bytes (in the same transaction).
    Expected<void> append(std::span<const sdk::PointValue> points);

    // First every unacknowledged batch not yet handed out since open()/rewind(), in seq order
    // and byte-identical to its first sending; then a new batch of the oldest unbatched points,
    // cut at limits.max_points and limits.max_bytes (encoded size, capped at kMaxMessageBytes).
    Expected<std::optional<Batch>> next_batch(BatchLimits limits);

    // Deletes the rows of the acknowledged batches, all in one transaction. Unknown seqs (acked
    // twice, or dropped while full) are ignored.
    Expected<void> acknowledge(std::span<const std::uint64_t> seqs);
    Expected<void> acknowledge(std::uint64_t seq) { return acknowledge(std::span(&seq, 1)); }

    // A new connection: unacknowledged batches are handed out again from the oldest.
    void rewind() { resend_after_ = 0; }

    BufferStats stats() const;
    const BufferOptions& options() const { return options_; }
    // Where a corrupt file was moved at open(), for the caller's status report.
    const std::optional<std::filesystem::path>& moved_aside() const { return moved_aside_; }

private:
    struct Series {
        std::string device;
        std::string point;
        std::string unit;
    };
    // Lookups by the point's own strings, without building a key per point.
    struct SeriesView {
        std::string_view device;
        std::string_view point;
        std::string_view unit;
    };
    struct SeriesKeyHash {
        using is_transparent = void;
        std::size_t operator()(const SeriesView& s) const noexcept;
        std::size_t operator()(const Series& s) const noexcept {
            return (*this)(SeriesView{s.device, s.point, s.unit});
        }
    };
    struct SeriesKeyEqual {
        using is_transparent = void;
        static SeriesView view(const Series& s) { return {s.device, s.point, s.unit}; }
        static SeriesView view(const SeriesView& s) { return s; }
        template <typename A, typename B>
        bool operator()(const A& a, const B& b) const noexcept {
            const SeriesView x = view(a), y = view(b);
            return x.device == y.device && x.point == y.point && x.unit == y.unit;
        }
    };
    // Counters that a failed transaction must put back.
    struct Counters {
        std::uint64_t next_seq = 1;
        std::int64_t next_id = 1;
        std::uint64_t queued_points = 0;
        std::uint64_t queued_bytes = 0;
        std::uint64_t batched_points = 0;  // rows in unacknowledged batches
        std::int64_t batched_upto = 0;     // highest row id given to a batch; above it: unbatched
        std::uint64_t dropped_total = 0;
        std::map<std::string, std::uint64_t> dropped_by_device;
    };
    struct Statements;

    Buffer(BufferOptions options, sdk::Logger& log, Database db);

    Expected<void> prepare();
    Expected<void> load_state();
    Expected<std::int64_t> series_id(const sdk::PointValue& p);
    Expected<void> enforce_cap(std::map<std::string, std::uint64_t>& dropped);
    Expected<void> drop_unbatched(std::uint64_t need,
                                  std::map<std::string, std::uint64_t>& dropped);
    Expected<void> drop_oldest_batch(std::map<std::string, std::uint64_t>& dropped);
    Expected<void> record_drops(const std::map<std::string, std::uint64_t>& dropped);
    Expected<void> write_meta();
    Expected<Batch> resend(std::uint64_t seq, std::int64_t first_id, std::int64_t last_id);
    Expected<std::optional<Batch>> form_batch(const BatchLimits& limits);
    // Reads the row the statement is on (columns: id, series, ts, flags, value) into `out`.
    void read_row(const Statement& st, sdk::PointValue& out) const;
    void restore(Counters saved, std::size_t series_count);
    void log_drops(const std::map<std::string, std::uint64_t>& dropped);

    BufferOptions options_;
    sdk::Logger& log_;
    Database db_;
    std::unique_ptr<Statements> st_;
    std::optional<std::filesystem::path> moved_aside_;

    std::vector<Series> series_;  // index = series id - 1
    std::unordered_map<Series, std::int64_t, SeriesKeyHash, SeriesKeyEqual> series_ids_;

    Counters c_;
    std::uint64_t accepted_total_ = 0;
    std::uint64_t acked_total_ = 0;
    std::uint64_t resend_after_ = 0;  // batches with seq <= this were handed out on this connection

    // Rate-limited "buffer full" reporting.
    std::map<std::string, std::uint64_t> unlogged_drops_;
    std::optional<std::chrono::steady_clock::time_point> last_drop_log_;
};

}  // namespace lintel::store
