// lintel_bench_store: ingest and drain throughput of the store-and-forward buffer, RSS with a
// backlog, CPU per 1k points. Prints a table; not a test (run by hand, see docs/buffer.md).
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/buffer.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_service.hpp"

namespace {

using namespace lintel;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class QuietLogger final : public sdk::Logger {
public:
    void log(sdk::LogLevel level, std::string_view message,
             std::initializer_list<sdk::LogField>) override {
        if (level >= sdk::LogLevel::warning)
            std::fprintf(stderr, "log: %.*s\n", static_cast<int>(message.size()), message.data());
    }
    bool enabled(sdk::LogLevel level) const override { return level >= sdk::LogLevel::warning; }
};

// Realistic telemetry: 200 devices x 25 points, mostly doubles, some ints/bools, a few strings.
class PointFactory {
public:
    PointFactory() {
        for (int d = 0; d < 200; ++d) devices_.push_back("ahu-" + std::to_string(d));
        for (int p = 0; p < 25; ++p) points_.push_back("zone_temp_" + std::to_string(p));
    }
    std::vector<sdk::PointValue> make(std::size_t count) {
        std::vector<sdk::PointValue> v;
        v.reserve(count);
        for (std::size_t i = 0; i < count; ++i, ++n_) {
            sdk::PointValue p;
            p.device = devices_[(n_ / 25) % devices_.size()];
            p.point = points_[n_ % 25];
            switch (n_ % 25) {
                case 0:
                    p.value = (n_ & 64) != 0;
                    break;
                case 1:
                    p.value = static_cast<std::int64_t>(n_ % 1000);
                    break;
                case 2:
                    p.value = std::string(n_ % 2 ? "occupied" : "unoccupied");
                    break;
                default:
                    p.value = 20.0 + static_cast<double>(n_ % 1000) / 100.0;
                    p.unit = "degC";
            }
            p.ts_ms = 1'700'000'000'000 + static_cast<std::int64_t>(n_ / 50);
            v.push_back(std::move(p));
        }
        return v;
    }

private:
    std::vector<std::string> devices_, points_;
    std::size_t n_ = 0;
};

double cpu_ms() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

long status_kib(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind(key, 0) == 0)
            return std::strtol(line.c_str() + std::strlen(key) + 1, nullptr, 10);
    }
    return -1;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void row(const char* what, double value, const char* unit) {
    std::printf("%-44s %14.1f  %s\n", what, value, unit);
}

// The physical limit: the same rows, same schema and transaction size, straight into SQLite.
double raw_insert_rate(const std::filesystem::path& path, std::size_t count) {
    auto db = store::Database::open(path);
    if (!db) return 0;
    (void)db->query_text("PRAGMA journal_mode=WAL");
    (void)db->exec(
        "PRAGMA synchronous=NORMAL;PRAGMA cache_size=-1024;"
        "CREATE TABLE points(id INTEGER PRIMARY KEY, series INTEGER NOT NULL, ts INTEGER NOT NULL,"
        " flags INTEGER NOT NULL, value, bytes INTEGER NOT NULL)");
    auto ins =
        db->prepare("INSERT INTO points(id, series, ts, flags, value, bytes) VALUES(?,?,?,?,?,?)");
    if (!ins) return 0;
    PointFactory factory;
    std::int64_t id = 1;
    double busy = 0;
    for (std::size_t done = 0; done < count;) {
        const std::size_t n = std::min<std::size_t>(5000, count - done);
        const auto points = factory.make(n);
        const auto t0 = Clock::now();
        (void)db->exec("BEGIN");
        for (const auto& p : points) {
            ins->bind(1, id);
            ins->bind(2, id % 5000);
            ins->bind(3, p.ts_ms);
            ins->bind(4, static_cast<std::int64_t>(p.value.index()));
            if (const auto* d = std::get_if<double>(&p.value))
                ins->bind(5, *d);
            else if (const auto* s = std::get_if<std::string>(&p.value))
                ins->bind_text(5, *s);
            else if (const auto* i = std::get_if<std::int64_t>(&p.value))
                ins->bind(5, *i);
            else
                ins->bind(5, std::int64_t{std::get<bool>(p.value)});
            ins->bind(6, std::int64_t{40});
            (void)ins->run();
            ++id;
        }
        (void)db->exec("COMMIT");
        busy += seconds(Clock::now() - t0);
        done += n;
    }
    return static_cast<double>(count) / busy;
}

// The writer thread's share of ingest: Buffer::append alone, same rows and transaction size.
double append_rate(const std::filesystem::path& path, std::size_t count, sdk::Logger& log) {
    store::BufferOptions o;
    o.path = path;
    o.gateway_id = "bench";
    o.max_bytes = 1ull << 40;
    auto buffer = store::Buffer::open(o, log);
    if (!buffer) return 0;
    PointFactory factory;
    double busy = 0;
    for (std::size_t done = 0; done < count;) {
        const std::size_t n = std::min<std::size_t>(5000, count - done);
        const auto points = factory.make(n);
        const auto t0 = Clock::now();
        if (!(*buffer)->append(points)) return 0;
        busy += seconds(Clock::now() - t0);
        done += n;
    }
    return static_cast<double>(count) / busy;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t total = 1'000'000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--points") == 0 && i + 1 < argc)
            total = std::strtoull(argv[++i], nullptr, 10);
        else {
            std::fprintf(stderr, "usage: %s [--points N]\n", argv[0]);
            return 2;
        }
    }
    char tmpl[] = "/tmp/lintel-bench-store-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    const std::filesystem::path dir = tmpl;
    QuietLogger log;

    std::printf("lintel_bench_store: %zu points, %ld CPUs, load average at start: %s\n\n", total,
                sysconf(_SC_NPROCESSORS_ONLN), load_average().c_str());
    const long rss_start = status_kib("VmRSS:");
    const double raw = raw_insert_rate(dir / "raw.db", total);
    const double append = append_rate(dir / "append.db", total, log);

    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    store::StoreOptions options;
    options.buffer.path = dir / "buffer.db";
    options.buffer.gateway_id = "bench-gateway-01";
    options.buffer.max_bytes = 1ull << 40;  // measure throughput, not the cap
    auto service = store::StoreService::start(options, io.get_executor(), log);
    if (!service) {
        std::fprintf(stderr, "cannot open buffer: %s\n", service.error().message.c_str());
        return 1;
    }
    auto& svc = **service;

    // Ingest: devices publish 500-point polls as fast as the store takes them.
    PointFactory factory;
    const double cpu0 = cpu_ms();
    const auto t0 = Clock::now();
    std::size_t sent = 0;
    while (sent < total) {
        const std::size_t n = std::min<std::size_t>(500, total - sent);
        while (svc.ingest_room() < n) io.run_one_for(200us);
        sent += svc.ingest(factory.make(n));
        io.poll();
    }
    bool flushed = false;
    svc.flush([&](lintel::Expected<void>) { flushed = true; });
    while (!flushed) io.run_one_for(1ms);
    const double ingest_s = seconds(Clock::now() - t0);
    const double ingest_cpu = cpu_ms() - cpu0;
    const auto s1 = svc.stats();
    const long rss_backlog = status_kib("VmRSS:"), hwm_ingest = status_kib("VmHWM:");
    const auto file_bytes = std::filesystem::file_size(options.buffer.path);

    // Drain: next_batch + encode + ack, one batch in flight like a QoS 1 uplink without network.
    const double cpu1 = cpu_ms();
    const auto t1 = Clock::now();
    std::size_t drained = 0, batches = 0, payload_bytes = 0;
    bool done = false;
    std::function<void()> pull = [&] {
        svc.next_batch({500, 64 * 1024}, [&](lintel::Expected<std::optional<store::Batch>> r) {
            if (!r || !*r) {
                done = true;
                return;
            }
            drained += (*r)->points;
            payload_bytes += (*r)->payload.size();
            ++batches;
            svc.acknowledge((*r)->seq);
            pull();
        });
    };
    pull();
    while (!done) io.run_one_for(1ms);
    flushed = false;
    svc.flush([&](lintel::Expected<void>) { flushed = true; });
    while (!flushed) io.run_one_for(1ms);
    const double drain_s = seconds(Clock::now() - t1);
    const double drain_cpu = cpu_ms() - cpu1;
    const auto s2 = svc.stats();
    svc.stop();

    std::printf("%-44s %14s  %s\n", "measure", "value", "unit");
    row("raw SQLite batched insert (same rows, 5000/tx)", raw, "points/s");
    row("Buffer::append alone (writer thread's share)", append, "points/s");
    row("ingest through StoreService", static_cast<double>(s1.accepted_total) / ingest_s,
        "points/s");
    row("  ratio to raw SQLite", 100.0 * static_cast<double>(s1.accepted_total) / ingest_s / raw,
        "%");
    row("  CPU per 1k points (both threads)", ingest_cpu / static_cast<double>(total) * 1000.0,
        "ms");
    row("  refused (ingest_overflow)", static_cast<double>(s1.ingest_overflow), "points");
    row("drain (next_batch + encode + ack)", static_cast<double>(drained) / drain_s, "points/s");
    row("  CPU per 1k points", drain_cpu / static_cast<double>(drained) * 1000.0, "ms");
    row("  batches", static_cast<double>(batches), "");
    row("  mean payload",
        static_cast<double>(payload_bytes) / static_cast<double>(std::max<std::size_t>(1, batches)),
        "bytes");
    row("  left after drain", static_cast<double>(s2.queued_points), "points");
    row("VmRSS at start", static_cast<double>(rss_start) / 1024.0, "MiB");
    row("VmRSS with the backlog", static_cast<double>(rss_backlog) / 1024.0, "MiB");
    row("VmHWM during ingest", static_cast<double>(hwm_ingest) / 1024.0, "MiB");
    row("VmHWM after drain", static_cast<double>(status_kib("VmHWM:")) / 1024.0, "MiB");
    row("database file with the backlog", static_cast<double>(file_bytes) / 1048576.0, "MiB");
    row("  queued_bytes (counted against max_bytes)",
        static_cast<double>(s1.queued_bytes) / 1048576.0, "MiB");

    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return drained == total ? 0 : 1;
}
