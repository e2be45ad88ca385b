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

#include "../common/proc_stats.hpp"
#include "../common/raw_sqlite.hpp"
#include "store/buffer.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_service.hpp"

namespace {

using namespace lintel;
using bench::load_average;
using bench::PointFactory;
using bench::raw_insert_rate;
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
