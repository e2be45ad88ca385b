// Whole-pipeline benchmark: ingest N points into the buffer through StoreService, then let the
// real linteld drain that backlog to a local mosquitto over mutual TLS, QoS 1, measuring drain
// rate, linteld's RSS and CPU time per 1k points, and start-to-READY. Prints a table.
// Not a test: run by tests/bench/run.sh.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <iostream>
#include <string>
#include <thread>

#include "../../integration/daemon/notify_listener.hpp"
#include "lintel/asio.hpp"
#include "store/store_service.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

using namespace lintel;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double cpu_seconds_self() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// utime + stime of another process, in seconds.
double cpu_seconds_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_kib_of(pid_t pid, const char* key = "VmRSS:") {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
    }
    return 0;
}

// Resident memory by mapping (library, heap, ...), largest first: where the RSS goes.
std::string rss_breakdown(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, long> by_name;
    std::string line, name;
    while (std::getline(in, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 20) {
            const auto slash = line.find_first_of("/[");
            name = slash == std::string::npos ? "[anon]" : line.substr(slash);
        } else if (line.rfind("Rss:", 0) == 0) {
            by_name[name] += std::stol(line.substr(4));
        }
    }
    std::vector<std::pair<long, std::string>> sorted;
    for (const auto& [n, kib] : by_name) sorted.emplace_back(kib, n);
    std::sort(sorted.rbegin(), sorted.rend());
    std::string out;
    for (std::size_t i = 0; i < sorted.size() && i < 8; ++i) {
        out += "    " + std::to_string(sorted[i].first) + " KiB  " + sorted[i].second + "\n";
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t n = 1'000'000;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) == "--points") n = std::stoul(argv[i + 1]);
    }
    const std::string linteld = std::string(LINTEL_BUILD_DIR) + "/bin/linteld";
    test::TempDir dir("lintel-bench");
    auto pki = test::Pki::generate(dir.path() / "pki", "gw-bench");
    if (!pki) {
        std::cerr << pki.error().message << "\n";
        return 1;
    }

    // 1. Ingest through the real StoreService (writer thread, grouped transactions).
    test::CaptureLogger quiet("store", false);
    double ingest_rate = 0, ingest_cpu_per_1k = 0;
    {
        asio::io_context io;
        store::StoreOptions options;
        options.buffer.path = dir.path() / "buffer.db";
        options.buffer.gateway_id = "gw-bench";
        options.buffer.max_bytes = 1ULL << 30;
        auto svc = store::StoreService::start(options, io.get_executor(), quiet);
        if (!svc) {
            std::cerr << svc.error().message << "\n";
            return 1;
        }
        auto& store = **svc;
        const auto cpu0 = cpu_seconds_self();
        const auto t0 = Clock::now();
        std::size_t sent = 0;
        const std::int64_t ts0 = sdk::now_unix_ms();
        while (sent < n) {
            const std::size_t room = std::min(store.ingest_room(), n - sent);
            if (room == 0) {
                io.run_for(1ms);
                std::this_thread::sleep_for(200us);
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
        while (store.stats().queued_points < n) {
            io.run_for(1ms);
        }
        const double secs = seconds_since(t0);
        ingest_rate = static_cast<double>(n) / secs;
        ingest_cpu_per_1k =
            (cpu_seconds_self() - cpu0) * 1000.0 / (static_cast<double>(n) / 1000.0);
        store.stop();
    }

    // 2. Drain by the real daemon over mTLS, QoS 1.
    auto broker_options = test::BrokerOptions::from_pki(*pki);
    broker_options.verbose_log = false;
    std::filesystem::create_directories(dir.path() / "broker");
    test::MosquittoBroker broker(dir.path() / "broker", broker_options);
    if (auto r = broker.start(); !r) {
        std::cerr << r.error().message << "\n";
        return 1;
    }
    test::MqttTestClient observer(test::MqttTestClientOptions::observer(*pki, broker.port()));
    if (!observer.connect() || !observer.subscribe("lintel/v1/gw-bench/telemetry", 0)) {
        std::cerr << "observer failed\n";
        return 1;
    }
    std::ofstream(dir.path() / "lintel.yaml")
        << "gateway:\n  id: gw-bench\nlog:\n  level: warning\nplugins:\n  dir: "
        << LINTEL_PLUGIN_BUILD_DIR << "\ndevices_dir: " << (dir.path() / "none").string()
        << "\nbuffer:\n  path: " << (dir.path() / "buffer.db").string()
        << "\n  max_bytes: 1GiB\nuplink:\n  host: localhost\n  port: " << broker.port()
        << "\n  batch:\n    max_points: 500\n    max_bytes: 120KiB\n  max_in_flight: 64\n"
        << "  tls:\n    ca_file: " << pki->ca_cert.string()
        << "\n    cert_file: " << pki->gateway.cert.string()
        << "\n    key_file: " << pki->gateway.key.string() << "\n";
    test::NotifyListener notify(dir.path() / "notify.sock");
    const auto t_start = Clock::now();
    auto proc = test::Process::spawn(
        test::ProcessOptions::of({linteld, "--config", (dir.path() / "lintel.yaml").string()})
            .with_env("NOTIFY_SOCKET", notify.path().string())
            .with_stderr(test::Output::to_file(dir.path() / "linteld.log")));
    if (!proc) {
        std::cerr << proc.error().message << "\n";
        return 1;
    }
    if (!notify.wait_for("READY=1", 30s)) {
        std::cerr << "linteld did not become ready\n";
        return 1;
    }
    const double ready_ms = seconds_since(t_start) * 1000.0;
    const auto expected_msgs = (n + 499) / 500;
    long rss_max = 0;
    const auto t_drain = Clock::now();
    const bool drained = test::wait_until(
        [&] {
            rss_max = std::max(rss_max, rss_kib_of(proc->pid()));
            return observer.messages().size() >= expected_msgs;
        },
        600s, 20ms);
    const double drain_secs = seconds_since(t_drain);
    const double daemon_cpu = cpu_seconds_of(proc->pid());
    const long hwm = rss_kib_of(proc->pid(), "VmHWM:");
    const long rss_anon = rss_kib_of(proc->pid(), "RssAnon:");
    const std::string breakdown = rss_breakdown(proc->pid());
    // Private = pages only linteld holds (heap, stacks, written data); the rest of RSS is shared
    // library text that every process using libc/libcrypto shares.
    long private_kib = 0;
    {
        std::ifstream in("/proc/" + std::to_string(proc->pid()) + "/smaps_rollup");
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("Private_Clean:", 0) == 0) private_kib += std::stol(line.substr(14));
            if (line.rfind("Private_Dirty:", 0) == 0) private_kib += std::stol(line.substr(14));
        }
    }
    const long rss_file = rss_kib_of(proc->pid(), "RssFile:");
    proc->terminate();
    if (!drained) {
        std::cerr << "drain incomplete: " << observer.messages().size() << " of " << expected_msgs
                  << " messages\n";
        return 1;
    }
    const double drain_rate = static_cast<double>(n) / drain_secs;

    std::printf("\nlintel pipeline benchmark (%zu points, this machine)\n", n);
    std::printf("| measure                                   | value        | target    |\n");
    std::printf("|-------------------------------------------|--------------|-----------|\n");
    std::printf("| ingest into buffer (StoreService)         | %9.0f/s  | >= 400k/s |\n",
                ingest_rate);
    std::printf("| ingest CPU per 1k points                  | %9.2f ms | -         |\n",
                ingest_cpu_per_1k);
    std::printf("| drain 1M backlog, linteld -> mTLS QoS 1   | %9.0f/s  | >= 250k/s |\n",
                drain_rate);
    std::printf("| linteld CPU per 1k points drained         | %9.2f ms | -         |\n",
                daemon_cpu * 1000.0 / (static_cast<double>(n) / 1000.0));
    std::printf("| linteld RSS during drain (max sampled)    | %9.1f MB | <= 12 MB  |\n",
                static_cast<double>(rss_max) / 1024.0);
    std::printf("| linteld VmHWM (peak RSS, whole run)       | %9.1f MB | -         |\n",
                static_cast<double>(hwm) / 1024.0);
    std::printf("|   of which anonymous / file-backed (end)  | %4.1f / %4.1f MB | -       |\n",
                static_cast<double>(rss_anon) / 1024.0, static_cast<double>(rss_file) / 1024.0);
    std::printf("|   private to linteld (not shared) (end)   | %9.1f MB | -         |\n",
                static_cast<double>(private_kib) / 1024.0);
    std::printf("| linteld start to READY=1 (1M backlog)     | %9.0f ms | -         |\n", ready_ms);
    std::printf("\nlinteld resident memory by mapping at the end of the drain:\n%s", breakdown.c_str());
    return 0;
}
