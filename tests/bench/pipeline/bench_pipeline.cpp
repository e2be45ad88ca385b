// Whole-pipeline benchmark, side by side in one run: linteld, the raw limits of this machine (a
// raw SQLite batched-insert loop, a raw libmosquitto QoS 1 publisher over mTLS) and the
// mosquitto-bridge gateway an integrator would build instead, carrying the same number of points.
// Ingest, drain of the backlog over mTLS QoS 1 after a cloud outage, RSS, CPU per 1k points, first
// point after the broker returns, start to ready. Prints one table with ratios.
// Not a test: run by tests/bench/run.sh.
//
//   lintel_bench_pipeline [--points N]   (default 1000000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "../../integration/daemon/notify_listener.hpp"
#include "../common/proc_stats.hpp"
#include "../common/raw_sqlite.hpp"
#include "gateway_figures.hpp"
#include "lintel/asio.hpp"
#include "store/store_service.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"
#include "support/mosquitto_bridge.hpp"
#include "support/process.hpp"
#include "support/qos1_publisher.hpp"
#include "support/wait.hpp"

using namespace lintel;
using namespace lintel::bench;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBatchPoints = 500;  // linteld's batch, and the raw publisher's message
// The cloud returns this long after the gateway started on its backlog: both are then at the same
// step of their reconnect backoff (1 s doubling to 30 s, jittered, in both).
constexpr auto kOutageAfterStart = std::chrono::seconds(3);

double seconds_since(BenchClock::time_point t0) {
    return std::chrono::duration<double>(BenchClock::now() - t0).count();
}

double cpu_seconds_self() { return cpu_seconds_of(getpid()); }

// linteld's ingest: points into the buffer through the real StoreService (writer thread, grouped
// transactions), in this process.
bool ingest_linteld(const std::filesystem::path& db, std::size_t n, GatewayFigures& f) {
    test::CaptureLogger quiet("store", false);
    asio::io_context io;
    store::StoreOptions options;
    options.buffer.path = db;
    options.buffer.gateway_id = "gw-bench";
    options.buffer.max_bytes = 1ULL << 30;
    auto svc = store::StoreService::start(options, io.get_executor(), quiet);
    if (!svc) {
        f.error = svc.error().message;
        return false;
    }
    auto& store = **svc;
    const auto cpu0 = cpu_seconds_self();
    const auto t0 = BenchClock::now();
    std::size_t sent = 0;
    const std::int64_t ts0 = sdk::now_unix_ms();
    while (sent < n) {
        const std::size_t room = std::min(store.ingest_room(), n - sent);
        if (room == 0) {
            io.run_for(1ms);
            continue;
        }
        std::vector<sdk::PointValue> chunk;
        chunk.reserve(room);
        for (std::size_t i = 0; i < room; ++i, ++sent) {
            chunk.push_back(sdk::PointValue{
                "meter-" + std::to_string(sent % 50), "point-" + std::to_string(sent % 40),
                static_cast<double>(sent) * 0.25, "kWh", sdk::Quality::good,
                ts0 + static_cast<std::int64_t>(sent / 1000)});
        }
        store.ingest(std::move(chunk));
        io.poll();
    }
    while (store.stats().queued_points < n) io.run_for(1ms);
    f.ingest_rate = static_cast<double>(n) / seconds_since(t0);
    f.ingest_cpu_per_1k = (cpu_seconds_self() - cpu0) * 1000.0 / (static_cast<double>(n) / 1000.0);
    store.stop();
    return true;
}

// linteld drains the backlog: started while the cloud is away, the cloud returns after `outage`.
struct LintelDetails {
    long hwm_kib = 0, anon_kib = 0, file_kib = 0, private_kib = 0;
    std::string breakdown;
};

bool drain_linteld(const std::filesystem::path& dir, const test::Pki& pki, CloudSide& cloud,
                   std::size_t n, GatewayFigures& f, LintelDetails& d) {
    const std::string linteld = std::string(LINTEL_BUILD_DIR) + "/bin/linteld";
    std::ofstream(dir / "lintel.yaml")
        << "gateway:\n  id: gw-bench\nlog:\n  level: warning\nplugins:\n  dir: "
        << LINTEL_PLUGIN_BUILD_DIR << "\ndevices_dir: " << (dir / "none").string()
        << "\nbuffer:\n  path: " << (dir / "buffer.db").string()
        << "\n  max_bytes: 1GiB\nuplink:\n  host: localhost\n  port: " << cloud.broker().port()
        << "\n  batch:\n    max_points: " << kBatchPoints
        << "\n    max_bytes: 120KiB\n  max_in_flight: 64\n"
        << "  tls:\n    ca_file: " << pki.ca_cert.string()
        << "\n    cert_file: " << pki.gateway.cert.string()
        << "\n    key_file: " << pki.gateway.key.string() << "\n";
    cloud.stop();
    test::NotifyListener notify(dir / "notify.sock");
    const auto t_start = BenchClock::now();
    auto proc = test::Process::spawn(
        test::ProcessOptions::of({linteld, "--config", (dir / "lintel.yaml").string()})
            .with_env("NOTIFY_SOCKET", notify.path().string())
            .with_stderr(test::Output::to_file(dir / "linteld.log")));
    if (!proc) {
        f.error = proc.error().message;
        return false;
    }
    if (!notify.wait_for("READY=1", 30s)) {
        f.error = "linteld did not become ready";
        return false;
    }
    f.ready_ms = seconds_since(t_start) * 1000.0;
    f.rss_backlog_mb = static_cast<double>(status_kib_of(proc->pid())) / 1024.0;
    std::this_thread::sleep_until(t_start + kOutageAfterStart);
    const double cpu0 = cpu_seconds_of(proc->pid());
    const auto t_listen = cloud.come_back();
    f.outage_s = std::chrono::duration<double>(t_listen - t_start).count();
    long rss_max = 0;
    BenchClock::time_point first{}, last{};
    const bool drained =
        cloud.wait_messages((n + kBatchPoints - 1) / kBatchPoints, first, last,
                            [&] { rss_max = std::max(rss_max, status_kib_of(proc->pid())); }, 600s);
    if (!drained) {
        f.error = "linteld drained only part of the backlog within 600 s";
        return false;
    }
    f.first_point_ms = std::chrono::duration<double, std::milli>(first - t_listen).count();
    // From the cloud listening again: linteld's first batch is already on its way at `first`.
    f.drain_rate = static_cast<double>(n) / std::chrono::duration<double>(last - first).count();
    f.drain_cpu_per_1k =
        (cpu_seconds_of(proc->pid()) - cpu0) * 1000.0 / (static_cast<double>(n) / 1000.0);
    f.rss_drain_mb = static_cast<double>(rss_max) / 1024.0;
    d.hwm_kib = status_kib_of(proc->pid(), "VmHWM:");
    d.anon_kib = status_kib_of(proc->pid(), "RssAnon:");
    d.file_kib = status_kib_of(proc->pid(), "RssFile:");
    d.private_kib = private_kib_of(proc->pid());
    d.breakdown = rss_breakdown(proc->pid());
    proc->terminate();
    cloud.clear();
    f.ok = true;
    return true;
}

// The raw limit of the network side: libmosquitto, own loop, QoS 1 over mTLS, 64 in flight (as
// linteld), `per_msg` points per message, to a topic the observer does not read.
struct RawDrain {
    double rate = 0, cpu_per_1k = 0;
};

RawDrain raw_publish(const test::Pki& pki, std::uint16_t port, std::size_t n, std::size_t per_msg) {
    test::Qos1PublisherOptions o;
    o.port = port;
    o.client_id = "gw-bench";
    o.ca_cert = pki.ca_cert;
    o.client = pki.gateway;
    o.window = 64;
    test::Qos1Publisher publisher(o);
    if (!publisher.connect()) return {};
    std::string payload = R"({"gateway":"gw-bench","seq":1,"points":[)";
    for (std::size_t i = 0; i < per_msg; ++i) {
        if (i) payload += ',';
        payload += test::device_point_payload(i);
    }
    payload += "]}";
    const double cpu0 = cpu_seconds_this_thread();
    const auto r = publisher.run(
        "lintel/v1/gw-bench/raw", 1, n / per_msg,
        [&](std::uint64_t) { return std::string_view(payload); }, 600s);
    return {static_cast<double>(r.acked * per_msg) / r.seconds,
            (cpu_seconds_this_thread() - cpu0) * 1000.0 / (static_cast<double>(n) / 1000.0)};
}

void row(const char* what, double lintel, double raw, double bridge, int decimals) {
    char l[32], r[32] = "-", b[32] = "-", lr[16] = "-", lb[16] = "-";
    std::snprintf(l, sizeof l, "%.*f", decimals, lintel);
    if (raw > 0) {
        std::snprintf(r, sizeof r, "%.*f", decimals, raw);
        std::snprintf(lr, sizeof lr, "%.2f", lintel / raw);
    }
    if (bridge > 0) {
        std::snprintf(b, sizeof b, "%.*f", decimals, bridge);
        std::snprintf(lb, sizeof lb, "%.2f", lintel / bridge);
    }
    std::printf("| %-44s | %12s | %12s | %12s | %6s | %6s |\n", what, l, r, b, lr, lb);
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 1'000'000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--points") == 0 && i + 1 < argc) {
            n = std::stoul(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--points N]\n", argv[0]);
            return 2;
        }
    }
    if (n < kBatchPoints) return 2;
    test::TempDir dir("lintel-bench");
    auto pki = test::Pki::generate(dir.path() / "pki", "gw-bench");
    if (!pki) {
        std::cerr << pki.error().message << "\n";
        return 1;
    }
    const std::string load_start = load_average();

    // 1. Ingest: the raw SQLite loop, then linteld's StoreService into the buffer.
    const double raw_sqlite = raw_insert_rate(dir.path() / "raw.db", n);
    GatewayFigures lintel, bridge;
    if (!ingest_linteld(dir.path() / "buffer.db", n, lintel)) {
        std::cerr << lintel.error << "\n";
        return 1;
    }

    // 2. The cloud, and the raw publisher's limit while it is up.
    CloudSide cloud(dir.path() / "cloud", *pki);
    if (!cloud.start("lintel/v1/gw-bench/telemetry")) {
        std::cerr << "the cloud broker or its observer did not start\n";
        return 1;
    }
    const RawDrain raw_batched = raw_publish(*pki, cloud.broker().port(), n, kBatchPoints);
    const RawDrain raw_single =
        raw_publish(*pki, cloud.broker().port(), std::min<std::size_t>(n, 200'000), 1);

    // 3. The bridge: backlog queued while the cloud is away, then drained.
    bridge = measure_bridge(dir.path() / "bridge", *pki, cloud, n, kOutageAfterStart);
    if (!bridge.ok) {
        std::cerr << "bridge: " << bridge.error << "\n";
        return 1;
    }

    // 4. linteld: the same outage, then the drain.
    LintelDetails details;
    if (!drain_linteld(dir.path(), *pki, cloud, n, lintel, details)) {
        std::cerr << "linteld: " << lintel.error << "\n";
        return 1;
    }

    std::printf(
        "\nlintel side by side: %zu points, %ld CPUs, load average %s (start) / %s (end)\n\n", n,
        sysconf(_SC_NPROCESSORS_ONLN), load_start.c_str(), load_average().c_str());
    std::printf("| %-44s | %12s | %12s | %12s | %6s | %6s |\n", "measure", "linteld", "raw limit",
                "mosq-bridge", "l/raw", "l/brdg");
    std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(14, '-').c_str(),
                std::string(14, '-').c_str(), std::string(14, '-').c_str(),
                std::string(8, '-').c_str(), std::string(8, '-').c_str());
    row("ingest, points/s", lintel.ingest_rate, raw_sqlite, bridge.ingest_rate, 0);
    row("ingest, gateway CPU ms per 1k points", lintel.ingest_cpu_per_1k, 0,
        bridge.ingest_cpu_per_1k, 2);
    row("drain of the backlog, mTLS QoS 1, points/s", lintel.drain_rate, raw_batched.rate,
        bridge.drain_rate, 0);
    row("drain, gateway CPU ms per 1k points", lintel.drain_cpu_per_1k, raw_batched.cpu_per_1k,
        bridge.drain_cpu_per_1k, 2);
    row("gateway RSS with the backlog queued, MB", lintel.rss_backlog_mb, 0, bridge.rss_backlog_mb,
        1);
    row("gateway RSS during the drain (max), MB", lintel.rss_drain_mb, 0, bridge.rss_drain_mb, 1);
    row("first point after the broker returns, ms", lintel.first_point_ms, 0, bridge.first_point_ms,
        0);
    row("start to ready with the backlog queued, ms", lintel.ready_ms, 0, bridge.ready_ms, 0);
    std::printf(
        "\nraw limit at 1 point per message (the bridge's shape): %.0f points/s, %.2f ms CPU per "
        "1k\ncloud back %.1f s (bridge) / %.1f s (linteld) after the gateway started\n"
        "bridge: graceful stop with the backlog (saving mosquitto.db) %.0f ms, RSS after loading "
        "it again %.1f MB; empty start to accepting + bridge connected %.0f ms\n",
        raw_single.rate, raw_single.cpu_per_1k, bridge.outage_s, lintel.outage_s, bridge.save_ms,
        bridge.rss_reloaded_mb, bridge.connected_ms);
    std::printf(
        "linteld: ingest is StoreService in-process (writer thread + caller), READY=1 with the "
        "backlog and the cloud away; bridge: ingest is one device publishing QoS 1 to the local "
        "broker; ready = linteld's READY=1 / the bridge's local broker accepting devices, both "
        "started on the backlog with the cloud away\n");
    std::printf("linteld VmHWM %.1f MB; at the end anon %.1f / file %.1f MB, private %.1f MB\n",
                static_cast<double>(details.hwm_kib) / 1024.0,
                static_cast<double>(details.anon_kib) / 1024.0,
                static_cast<double>(details.file_kib) / 1024.0,
                static_cast<double>(details.private_kib) / 1024.0);
    std::printf("linteld resident memory by mapping at the end of the drain:\n%s",
                details.breakdown.c_str());
    return 0;
}
