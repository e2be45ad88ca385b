// Buffer: SQLite-backed telemetry queue (append, batch, acknowledge, drop-oldest when full).
#include "buffer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_map>
#include <variant>

#include "uplink/payload.hpp"

namespace lintel::store {
namespace {

constexpr std::int64_t kQualityShift = 2;

std::int64_t to_i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t to_u64(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }

std::uint64_t row_bytes(const sdk::PointValue& p) {
    if (const auto* s = std::get_if<std::string>(&p.value)) return kRowOverheadBytes + s->size();
    return kRowOverheadBytes;
}

template <typename T>
Expected<T> prepared(Expected<T> r) {
    // A statement that does not prepare on a database of our own version: the schema is broken.
    if (!r && r.error().code == kErrSqlite) r.error().code = std::string(kErrSchema);
    return r;
}

}  // namespace

struct Buffer::Statements {
    Statement insert_point;
    Statement insert_series;
    Statement select_from;
    Statement select_range;
    Statement delete_range;
    Statement insert_batch;
    Statement next_unsent;
    Statement select_batch;
    Statement oldest_batch;
    Statement delete_batch;
    Statement set_meta;
    Statement add_drops;
};

std::size_t Buffer::SeriesKeyHash::operator()(const SeriesView& s) const noexcept {
    const std::hash<std::string_view> h;
    std::size_t v = h(s.device);
    v ^= h(s.point) + 0x9e3779b97f4a7c15ULL + (v << 6) + (v >> 2);
    v ^= h(s.unit) + 0x9e3779b97f4a7c15ULL + (v << 6) + (v >> 2);
    return v;
}

Buffer::Buffer(BufferOptions options, sdk::Logger& log, Database db)
    : options_(std::move(options)),
      log_(log),
      db_(std::move(db)),
      st_(std::make_unique<Statements>()) {}

Buffer::~Buffer() {
    st_.reset();  // statements before the connection
    db_.close();
}

// ---- open ----

Expected<std::unique_ptr<Buffer>> Buffer::open(BufferOptions options, sdk::Logger& log) {
    std::error_code ec;
    if (options.path.has_parent_path())
        std::filesystem::create_directories(options.path.parent_path(), ec);

    // Before SQLite replays the -wal: a damaged frame makes it skip every later commit silently.
    if (auto damaged = keep_damaged_wal(options.path); damaged && *damaged) {
        const auto& d = **damaged;
        log.error(
            "buffer write-ahead log is damaged: committed points after the damage cannot be "
            "replayed and are lost; the intact part is kept and sent",
            {{"PATH", options.path.string() + "-wal"},
             {"LOST_TRANSACTIONS", std::to_string(d.scan.lost_commits)},
             {"REPLAYED_TRANSACTIONS", std::to_string(d.scan.valid_commits)},
             {"COPY", d.copy.empty() ? std::string("(copy failed)") : d.copy.string()}});
    }

    const DatabaseSettings settings{options.synchronous, options.cache_kib};
    auto attempt = [&]() -> Expected<std::unique_ptr<Buffer>> {
        auto db = open_database(options.path, settings);
        if (!db) return std::unexpected(db.error());
        std::unique_ptr<Buffer> b(new Buffer(options, log, std::move(*db)));
        if (auto r = b->prepare(); !r) return std::unexpected(r.error());
        if (auto r = b->load_state(); !r) return std::unexpected(r.error());
        return b;
    };

    auto buffer = attempt();
    std::optional<std::filesystem::path> moved;
    if (!buffer && is_unusable_file(buffer.error())) {
        const std::string path = options.path.string();
        auto aside = move_aside(options.path);
        if (!aside) {
            log.error(
                "buffer database is unusable and cannot be moved aside; lintel cannot buffer "
                "telemetry",
                {{"PATH", path},
                 {"ERROR", buffer.error().message},
                 {"MOVE_ERROR", aside.error().message}});
            return std::unexpected(buffer.error());
        }
        const std::string target = aside->string();
        log.error(
            "buffer database is unusable: moved it aside and started an empty buffer; points "
            "buffered in it were not sent (keep the file for analysis)",
            {{"PATH", path}, {"MOVED_TO", target}, {"ERROR", buffer.error().message}});
        moved = *aside;
        buffer = attempt();
    }
    if (!buffer) return buffer;
    (*buffer)->moved_aside_ = std::move(moved);
    return buffer;
}

Expected<void> Buffer::prepare() {
    struct Item {
        Statement* stmt;
        std::string_view sql;
    };
    const Item items[] = {
        {&st_->insert_point,
         "INSERT INTO points(id, series, ts, flags, value, bytes) VALUES(?,?,?,?,?,?)"},
        {&st_->insert_series, "INSERT INTO series(id, device, point, unit) VALUES(?,?,?,?)"},
        {&st_->select_from,
         "SELECT id, series, ts, flags, value, bytes FROM points WHERE id > ? ORDER BY id"},
        {&st_->select_range,
         "SELECT id, series, ts, flags, value, bytes FROM points WHERE id BETWEEN ? AND ? ORDER BY "
         "id"},
        {&st_->delete_range, "DELETE FROM points WHERE id BETWEEN ? AND ?"},
        {&st_->insert_batch,
         "INSERT INTO batches(seq, first_id, last_id, points, bytes) VALUES(?,?,?,?,?)"},
        {&st_->next_unsent,
         "SELECT seq, first_id, last_id FROM batches WHERE seq > ? ORDER BY seq LIMIT 1"},
        {&st_->select_batch, "SELECT first_id, last_id, points, bytes FROM batches WHERE seq = ?"},
        {&st_->oldest_batch,
         "SELECT seq, first_id, last_id, points, bytes FROM batches ORDER BY seq LIMIT 1"},
        {&st_->delete_batch, "DELETE FROM batches WHERE seq = ?"},
        {&st_->set_meta, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"},
        {&st_->add_drops,
         "INSERT INTO drops(device, count) VALUES(?, ?) "
         "ON CONFLICT(device) DO UPDATE SET count = count + excluded.count"},
    };
    for (const auto& item : items) {
        auto s = prepared(db_.prepare(item.sql));
        if (!s) return std::unexpected(s.error());
        *item.stmt = std::move(*s);
    }
    return {};
}

Expected<void> Buffer::load_state() {
    bool have_queue_counts = false;
    bool have_seq = false;
    {
        auto s = prepared(db_.prepare("SELECT key, value FROM meta"));
        if (!s) return std::unexpected(s.error());
        while (true) {
            auto row = s->step();
            if (!row) return std::unexpected(row.error());
            if (!*row) break;
            const auto key = s->text(0);
            const auto value = s->integer(1);
            if (key == "next_seq")
                c_.next_seq = std::max<std::uint64_t>(1, to_u64(value)), have_seq = true;
            else if (key == "next_id")
                c_.next_id = std::max<std::int64_t>(1, value);
            else if (key == "queued_points")
                c_.queued_points = to_u64(value), have_queue_counts = true;
            else if (key == "queued_bytes")
                c_.queued_bytes = to_u64(value);
            else if (key == "dropped_total")
                c_.dropped_total = to_u64(value);
        }
    }
    if (!have_seq) {
        // A new database (first start, or the old one was moved aside) starts at the current Unix
        // time in ms, not at 1: the cloud deduplicates by seq, and a replaced buffer must not reuse
        // seqs it has already seen. Stays ahead as long as fewer than 1000 messages/s are sent.
        c_.next_seq = std::max<std::uint64_t>(c_.next_seq, to_u64(sdk::now_unix_ms()));
    }
    {
        auto s = prepared(db_.prepare(
            "SELECT count(*), coalesce(sum(bytes), 0), coalesce(max(id), 0) FROM points"));
        if (!s) return std::unexpected(s.error());
        if (auto row = s->step(); !row) return std::unexpected(row.error());
        // Ids are never reused, even when the newest rows were deleted before a crash.
        c_.next_id = std::max(c_.next_id, s->integer(2) + 1);
        if (!have_queue_counts) {  // older file or lost meta: recount once
            c_.queued_points = to_u64(s->integer(0));
            c_.queued_bytes = to_u64(s->integer(1));
        }
    }
    {
        auto s = prepared(
            db_.prepare("SELECT coalesce(max(last_id), 0), coalesce(sum(points), 0) FROM batches"));
        if (!s) return std::unexpected(s.error());
        if (auto row = s->step(); !row) return std::unexpected(row.error());
        c_.batched_upto = s->integer(0);
        c_.batched_points = to_u64(s->integer(1));
    }
    {
        auto s = prepared(db_.prepare("SELECT device, count FROM drops"));
        if (!s) return std::unexpected(s.error());
        while (true) {
            auto row = s->step();
            if (!row) return std::unexpected(row.error());
            if (!*row) break;
            c_.dropped_by_device[std::string(s->text(0))] = to_u64(s->integer(1));
        }
    }
    {
        auto s = prepared(db_.prepare("SELECT id, device, point, unit FROM series ORDER BY id"));
        if (!s) return std::unexpected(s.error());
        while (true) {
            auto row = s->step();
            if (!row) return std::unexpected(row.error());
            if (!*row) break;
            const auto id = s->integer(0);
            if (id < 1 || id > 100'000'000)
                return make_error(std::string(kErrSchema), "bad series id in buffer");
            if (static_cast<std::size_t>(id) > series_.size())
                series_.resize(static_cast<std::size_t>(id));
            auto& entry = series_[static_cast<std::size_t>(id - 1)];
            entry =
                Series{std::string(s->text(1)), std::string(s->text(2)), std::string(s->text(3))};
            series_ids_.emplace(entry, id);
        }
    }
    return {};
}

// ---- append ----

Expected<std::int64_t> Buffer::series_id(const sdk::PointValue& p) {
    const SeriesView key{p.device, p.point, p.unit};
    if (auto it = series_ids_.find(key); it != series_ids_.end()) return it->second;
    const auto id = static_cast<std::int64_t>(series_.size()) + 1;
    auto& st = st_->insert_series;
    st.bind(1, id);
    st.bind_text(2, p.device);
    st.bind_text(3, p.point);
    st.bind_text(4, p.unit);
    if (auto r = st.run(); !r) return std::unexpected(r.error());
    series_.push_back(Series{p.device, p.point, p.unit});
    series_ids_.emplace(series_.back(), id);
    return id;
}

Expected<void> Buffer::append(std::span<const sdk::PointValue> points) {
    if (points.empty()) return {};
    Counters saved = c_;
    const std::size_t series_count = series_.size();
    std::map<std::string, std::uint64_t> dropped;

    auto run = [&]() -> Expected<void> {
        auto tx = Transaction::begin(db_);
        if (!tx) return std::unexpected(tx.error());
        auto& ins = st_->insert_point;
        for (const auto& p : points) {
            auto sid = series_id(p);
            if (!sid) return std::unexpected(sid.error());
            const auto kind = static_cast<std::int64_t>(p.value.index());
            const auto bytes = row_bytes(p);
            ins.bind(1, c_.next_id++);
            ins.bind(2, *sid);
            ins.bind(3, p.ts_ms);
            ins.bind(4, kind | (static_cast<std::int64_t>(p.quality) << kQualityShift));
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, bool>)
                        ins.bind(5, std::int64_t{v ? 1 : 0});
                    else if constexpr (std::is_same_v<T, std::int64_t>)
                        ins.bind(5, v);
                    else if constexpr (std::is_same_v<T, double>)
                        ins.bind(5, v);  // NaN is stored as NULL
                    else
                        ins.bind_text(5, v);
                },
                p.value);
            ins.bind(6, to_i64(bytes));
            if (auto r = ins.run(); !r) return r;
            c_.queued_bytes += bytes;
        }
        c_.queued_points += points.size();
        if (c_.queued_bytes > options_.max_bytes) {
            if (auto r = enforce_cap(dropped); !r) return r;
        }
        if (auto r = record_drops(dropped); !r) return r;
        if (auto r = write_meta(); !r) return r;
        return tx->commit();
    };
    if (auto r = run(); !r) {
        restore(std::move(saved), series_count);
        return r;
    }
    accepted_total_ += points.size();
    if (!dropped.empty()) log_drops(dropped);
    return {};
}

// ---- dropping when full ----

Expected<void> Buffer::enforce_cap(std::map<std::string, std::uint64_t>& dropped) {
    // Free 1% more than needed so a full buffer does not run this on every commit.
    const std::uint64_t low_water = options_.max_bytes - options_.max_bytes / 100;
    while (c_.queued_bytes > low_water) {
        if (c_.queued_points > c_.batched_points) {
            if (auto r = drop_unbatched(c_.queued_bytes - low_water, dropped); !r) return r;
        } else if (c_.batched_points > 0) {
            // Only batches handed to the uplink are left: they go whole, so a re-sent batch never
            // changes, and their seq becomes a visible gap for the cloud.
            if (auto r = drop_oldest_batch(dropped); !r) return r;
        } else {
            break;
        }
    }
    return {};
}

Expected<void> Buffer::drop_unbatched(std::uint64_t need,
                                      std::map<std::string, std::uint64_t>& dropped) {
    std::unordered_map<std::int64_t, std::uint64_t> per_series;
    std::uint64_t freed = 0, count = 0;
    std::int64_t last = 0;
    auto& sel = st_->select_from;
    sel.bind(1, c_.batched_upto);
    while (freed < need) {
        auto row = sel.step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        last = sel.integer(0);
        ++per_series[sel.integer(1)];
        freed += to_u64(sel.integer(5));
        ++count;
    }
    sel.reset();
    if (count == 0) {  // counters disagree with the table: trust the table
        c_.queued_points = c_.batched_points;
        c_.queued_bytes = std::min(c_.queued_bytes, freed);
        return {};
    }
    auto& del = st_->delete_range;
    del.bind(1, c_.batched_upto + 1);
    del.bind(2, last);
    if (auto r = del.run(); !r) return r;
    c_.queued_points -= std::min(c_.queued_points, count);
    c_.queued_bytes -= std::min(c_.queued_bytes, freed);
    for (const auto& [sid, n] : per_series) {
        const auto idx = static_cast<std::size_t>(sid - 1);
        dropped[idx < series_.size() ? series_[idx].device : std::string("?")] += n;
    }
    return {};
}

Expected<void> Buffer::drop_oldest_batch(std::map<std::string, std::uint64_t>& dropped) {
    auto& ob = st_->oldest_batch;
    auto row = ob.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) {
        ob.reset();
        c_.batched_points = 0;
        return {};
    }
    const auto seq = ob.integer(0), first = ob.integer(1), last = ob.integer(2);
    const auto points = to_u64(ob.integer(3)), bytes = to_u64(ob.integer(4));
    ob.reset();

    std::unordered_map<std::int64_t, std::uint64_t> per_series;
    auto& sel = st_->select_range;
    sel.bind(1, first);
    sel.bind(2, last);
    while (true) {
        auto r = sel.step();
        if (!r) return std::unexpected(r.error());
        if (!*r) break;
        ++per_series[sel.integer(1)];
    }
    sel.reset();
    auto& del = st_->delete_range;
    del.bind(1, first);
    del.bind(2, last);
    if (auto r = del.run(); !r) return r;
    auto& db = st_->delete_batch;
    db.bind(1, seq);
    if (auto r = db.run(); !r) return r;
    c_.queued_points -= std::min(c_.queued_points, points);
    c_.queued_bytes -= std::min(c_.queued_bytes, bytes);
    c_.batched_points -= std::min(c_.batched_points, points);
    for (const auto& [sid, n] : per_series) {
        const auto idx = static_cast<std::size_t>(sid - 1);
        dropped[idx < series_.size() ? series_[idx].device : std::string("?")] += n;
    }
    return {};
}

Expected<void> Buffer::record_drops(const std::map<std::string, std::uint64_t>& dropped) {
    auto& st = st_->add_drops;
    for (const auto& [device, n] : dropped) {
        st.bind_text(1, device);
        st.bind(2, to_i64(n));
        if (auto r = st.run(); !r) return r;
        c_.dropped_by_device[device] += n;
        c_.dropped_total += n;
    }
    return {};
}

void Buffer::log_drops(const std::map<std::string, std::uint64_t>& dropped) {
    for (const auto& [device, n] : dropped) unlogged_drops_[device] += n;
    const auto now = std::chrono::steady_clock::now();
    if (last_drop_log_ && now - *last_drop_log_ < options_.drop_log_interval) return;
    last_drop_log_ = now;
    std::uint64_t total = 0;
    std::string devices;
    std::size_t listed = 0;
    for (const auto& [device, n] : unlogged_drops_) {
        total += n;
        if (listed++ < 10)
            devices += (devices.empty() ? "" : ", ") + device + "=" + std::to_string(n);
    }
    if (unlogged_drops_.size() > 10) devices += ", ...";
    unlogged_drops_.clear();
    const std::string total_text = std::to_string(total);
    const std::string max_text = std::to_string(options_.max_bytes);
    log_.warning(
        "buffer full: dropped the oldest points to stay within buffer.max_bytes; the uplink is "
        "offline or slower than the devices (next report in one interval at the earliest)",
        {{"DROPPED", total_text}, {"DEVICES", devices}, {"MAX_BYTES", max_text}});
}

Expected<void> Buffer::write_meta() {
    auto& st = st_->set_meta;
    const std::pair<std::string_view, std::int64_t> values[] = {
        {"next_seq", to_i64(c_.next_seq)},           {"next_id", c_.next_id},
        {"queued_points", to_i64(c_.queued_points)}, {"queued_bytes", to_i64(c_.queued_bytes)},
        {"dropped_total", to_i64(c_.dropped_total)},
    };
    for (const auto& [key, value] : values) {
        st.bind_text(1, key);
        st.bind(2, value);
        if (auto r = st.run(); !r) return r;
    }
    return {};
}

void Buffer::restore(Counters saved, std::size_t series_count) {
    c_ = std::move(saved);
    while (series_.size() > series_count) {  // their INSERTs were rolled back
        series_ids_.erase(series_.back());
        series_.pop_back();
    }
}

// ---- batches ----

void Buffer::read_row(const Statement& st, sdk::PointValue& out) const {
    const auto sid = static_cast<std::size_t>(st.integer(1));
    if (sid >= 1 && sid <= series_.size()) {
        const auto& s = series_[sid - 1];
        out.device = s.device;
        out.point = s.point;
        out.unit = s.unit;
    } else {
        out.device = "?";
        out.point = "?";
        out.unit.clear();
    }
    out.ts_ms = st.integer(2);
    const auto flags = st.integer(3);
    out.quality = static_cast<sdk::Quality>(std::clamp<std::int64_t>(flags >> kQualityShift, 0, 2));
    switch (flags & 3) {
        case 0:
            out.value = st.integer(4) != 0;
            break;
        case 1:
            out.value = st.integer(4);
            break;
        case 2:
            out.value = st.type(4) == Statement::Type::null
                            ? std::numeric_limits<double>::quiet_NaN()
                            : st.real(4);
            break;
        default:
            out.value = std::string(st.text(4));
            break;
    }
}

Expected<std::optional<Batch>> Buffer::next_batch(BatchLimits limits) {
    auto& nu = st_->next_unsent;
    nu.bind(1, to_i64(resend_after_));
    auto row = nu.step();
    if (!row) return std::unexpected(row.error());
    if (*row) {
        const auto seq = to_u64(nu.integer(0));
        const auto first = nu.integer(1), last = nu.integer(2);
        nu.reset();
        auto batch = resend(seq, first, last);
        if (!batch) return std::unexpected(batch.error());
        resend_after_ = seq;
        return std::optional<Batch>(std::move(*batch));
    }
    nu.reset();
    if (c_.queued_points <= c_.batched_points) return std::optional<Batch>();

    Counters saved = c_;
    auto batch = form_batch(limits);
    if (!batch) {
        restore(std::move(saved), series_.size());
        return batch;
    }
    if (*batch) resend_after_ = (*batch)->seq;
    return batch;
}

Expected<Batch> Buffer::resend(std::uint64_t seq, std::int64_t first_id, std::int64_t last_id) {
    uplink::TelemetryBuilder builder(options_.gateway_id, seq);
    sdk::PointValue pv;
    auto& sel = st_->select_range;
    sel.bind(1, first_id);
    sel.bind(2, last_id);
    while (true) {
        auto row = sel.step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        read_row(sel, pv);
        builder.add(pv);
    }
    sel.reset();
    const std::size_t n = builder.points();
    return Batch{seq, std::move(builder).finish(), n, {}};
}

Expected<std::optional<Batch>> Buffer::form_batch(const BatchLimits& limits) {
    const std::size_t max_bytes = std::min(limits.max_bytes, kMaxMessageBytes);
    const std::size_t max_points = std::max<std::size_t>(1, limits.max_points);
    const std::uint64_t seq = c_.next_seq;

    auto tx = Transaction::begin(db_);
    if (!tx) return std::unexpected(tx.error());

    uplink::TelemetryBuilder builder(options_.gateway_id, seq, max_bytes + 256);
    sdk::PointValue pv;
    std::int64_t first = 0, last = 0;
    std::uint64_t bytes = 0;
    // Rows that can never fit in a message on their own (a huge string): dropped, or the queue
    // would be stuck behind them forever.
    std::vector<std::pair<std::int64_t, std::uint64_t>> oversized;
    std::map<std::string, std::uint64_t> dropped;

    auto& sel = st_->select_from;
    sel.bind(1, c_.batched_upto);
    while (builder.points() < max_points) {
        auto row = sel.step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        read_row(sel, pv);
        if (!builder.try_add(pv, max_bytes)) {
            if (builder.points() > 0) break;
            oversized.emplace_back(sel.integer(0), to_u64(sel.integer(5)));
            ++dropped[pv.device];
            continue;
        }
        if (first == 0) first = sel.integer(0);
        last = sel.integer(0);
        bytes += to_u64(sel.integer(5));
    }
    sel.reset();

    for (const auto& [id, row_bytes] : oversized) {
        auto& del = st_->delete_range;
        del.bind(1, id);
        del.bind(2, id);
        if (auto r = del.run(); !r) return std::unexpected(r.error());
        c_.queued_points -= std::min<std::uint64_t>(c_.queued_points, 1);
        c_.queued_bytes -= std::min(c_.queued_bytes, row_bytes);
    }
    if (!oversized.empty()) {
        if (auto r = record_drops(dropped); !r) return std::unexpected(r.error());
    }
    const std::size_t n = builder.points();
    if (n > 0) {
        auto& ins = st_->insert_batch;
        ins.bind(1, to_i64(seq));
        ins.bind(2, first);
        ins.bind(3, last);
        ins.bind(4, static_cast<std::int64_t>(n));
        ins.bind(5, to_i64(bytes));
        if (auto r = ins.run(); !r) return std::unexpected(r.error());
        c_.next_seq = seq + 1;  // in the same transaction as the batch: a seq is never reused
        c_.batched_upto = last;
        c_.batched_points += n;
    }
    if (auto r = write_meta(); !r) return std::unexpected(r.error());
    if (auto r = tx->commit(); !r) return std::unexpected(r.error());
    if (!oversized.empty()) {
        const std::string count = std::to_string(oversized.size());
        log_.error(
            "dropped points too large for one telemetry message (string value over the message "
            "limit)",
            {{"DROPPED", count}, {"DEVICE", dropped.begin()->first}});
    }
    if (n == 0) return std::optional<Batch>();
    return std::optional<Batch>(Batch{seq, std::move(builder).finish(), n, {}});
}

Expected<void> Buffer::acknowledge(std::span<const std::uint64_t> seqs) {
    if (seqs.empty()) return {};
    Counters saved = c_;
    std::uint64_t acked = 0;
    auto run = [&]() -> Expected<void> {
        auto tx = Transaction::begin(db_);
        if (!tx) return std::unexpected(tx.error());
        for (const auto seq : seqs) {
            auto& sb = st_->select_batch;
            sb.bind(1, to_i64(seq));
            auto row = sb.step();
            if (!row) return std::unexpected(row.error());
            if (!*row) {  // acked twice, or dropped while the buffer was full
                sb.reset();
                continue;
            }
            const auto first = sb.integer(0), last = sb.integer(1);
            const auto points = to_u64(sb.integer(2)), bytes = to_u64(sb.integer(3));
            sb.reset();
            auto& del = st_->delete_range;
            del.bind(1, first);
            del.bind(2, last);
            if (auto r = del.run(); !r) return r;
            auto& db = st_->delete_batch;
            db.bind(1, to_i64(seq));
            if (auto r = db.run(); !r) return r;
            c_.queued_points -= std::min(c_.queued_points, points);
            c_.queued_bytes -= std::min(c_.queued_bytes, bytes);
            c_.batched_points -= std::min(c_.batched_points, points);
            acked += points;
        }
        if (auto r = write_meta(); !r) return r;
        return tx->commit();
    };
    if (auto r = run(); !r) {
        restore(std::move(saved), series_.size());
        return r;
    }
    acked_total_ += acked;
    return {};
}

BufferStats Buffer::stats() const {
    BufferStats s;
    s.queued_points = c_.queued_points;
    s.queued_bytes = c_.queued_bytes;
    s.accepted_total = accepted_total_;
    s.acked_total = acked_total_;
    s.dropped_total = c_.dropped_total;
    s.dropped_by_device = c_.dropped_by_device;
    s.next_seq = c_.next_seq;
    return s;
}

}  // namespace lintel::store
