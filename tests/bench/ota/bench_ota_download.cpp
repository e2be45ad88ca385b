// lintel_bench_ota_download: Downloader throughput over loopback TLS for a 64 MiB artifact —
// unlimited, with a bandwidth limit, and resumed after a drop — with the client thread's CPU
// time. Prints a table; not a test (run by hand or through tests/bench/run.sh).
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <sys/resource.h>
#include <time.h>

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "ota/download.hpp"
#include "support/asio_run.hpp"
#include "support/files.hpp"
#include "support/https_file_server.hpp"
#include "support/pki.hpp"

namespace {

using namespace lintel;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Run {
    double seconds = 0;
    double cpu_seconds = 0;  // the downloader's thread (the server runs on another)
    std::uint64_t bytes = 0;
    unsigned attempts = 0;
    bool ok = false;
};

Run download(asio::io_context& io, const ota::DownloadSettings& settings, const std::string& url,
             std::uint64_t size, const std::filesystem::path& destination) {
    auto d = ota::Downloader::create(io.get_executor(), settings);
    if (!d) {
        std::fprintf(stderr, "create: %s\n", d.error().message.c_str());
        std::exit(1);
    }
    std::optional<Expected<ota::DownloadResult>> out;
    const auto start = Clock::now();
    const double cpu0 = thread_cpu_seconds();
    asio::co_spawn(
        io, d->fetch(ota::DownloadRequest{url, size, destination}),
        [&](std::exception_ptr, Expected<ota::DownloadResult> r) { out = std::move(r); });
    lintel::test::run_until(
        io, [&] { return out.has_value(); }, 600s, 50ms);
    Run run;
    run.cpu_seconds = thread_cpu_seconds() - cpu0;
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (out && *out) {
        run.ok = true;
        run.bytes = (*out)->bytes_received;
        run.attempts = (*out)->attempts;
    } else if (out) {
        std::fprintf(stderr, "download failed: %s\n", (*out).error().message.c_str());
    }
    std::filesystem::remove(destination);
    return run;
}

double children_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_CHILDREN, &ru);
    auto sec = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// curl into a file, as a reference for what a plain TLS client gets from the same server.
std::optional<Run> curl(const std::filesystem::path& ca, const std::string& url,
                        const std::filesystem::path& destination) {
    if (std::system("command -v curl >/dev/null 2>&1") != 0) return std::nullopt;
    const std::string cmd =
        "curl -sf --cacert '" + ca.string() + "' -o '" + destination.string() + "' '" + url + "'";
    const double cpu0 = children_cpu_seconds();
    const auto start = Clock::now();
    const int rc = std::system(cmd.c_str());
    Run run;
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    run.cpu_seconds = children_cpu_seconds() - cpu0;
    run.ok = rc == 0;
    run.attempts = 1;
    std::filesystem::remove(destination);
    return run;
}

void row(const char* what, const Run& r, std::uint64_t size) {
    const double mib = static_cast<double>(size) / (1024.0 * 1024.0);
    std::printf("%-40s %8.2f s %9.1f MiB/s %8.2f s %9.1f ms/MiB  %u%s\n", what, r.seconds,
                mib / r.seconds, r.cpu_seconds, 1000.0 * r.cpu_seconds / mib, r.attempts,
                r.ok ? "" : "  FAILED");
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t size = 64ULL * 1024 * 1024;
    std::uint64_t limit = 16ULL * 1024 * 1024;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--mib") == 0 && i + 1 < argc) {
            size = std::strtoull(argv[++i], nullptr, 10) * 1024 * 1024;
        } else if (std::strcmp(argv[i], "--limit-mib") == 0 && i + 1 < argc) {
            limit = std::strtoull(argv[++i], nullptr, 10) * 1024 * 1024;
        } else if (std::strcmp(argv[i], "--points") == 0 && i + 1 < argc) {
            ++i;  // run.sh passes its own options to every benchmark
        } else {
            std::fprintf(stderr, "usage: %s [--mib N] [--limit-mib N]\n", argv[0]);
            return 2;
        }
    }
    lintel::test::TempDir dir("lintel-bench-ota");
    auto pki = lintel::test::Pki::generate(dir.path() / "pki", "gw-bench");
    if (!pki) {
        std::fprintf(stderr, "pki: %s\n", pki.error().message.c_str());
        return 1;
    }
    auto server = lintel::test::HttpsFileServer::start({pki->server.cert, pki->server.key, {}});
    if (!server) {
        std::fprintf(stderr, "server: %s\n", server.error().message.c_str());
        return 1;
    }
    std::string content(size, '\0');
    for (std::uint64_t i = 0; i < size; ++i)
        content[i] = static_cast<char>((i * 2654435761u) >> 13);
    (*server)->put("/a.bin", std::move(content));
    lintel::test::FileFaults drop;
    drop.drop_after = size / 2;
    (*server)->put("/drop.bin", std::string(size, 'd'));
    (*server)->set_faults("/drop.bin", drop);

    asio::io_context io;
    ota::DownloadSettings settings;
    settings.ca = pki->ca_cert;
    settings.retry_initial = 10ms;
    const auto dest = dir.path() / "artifact.bin";
    const auto url = (*server)->url("/a.bin");

    std::printf(
        "lintel_bench_ota_download: %.0f MiB over loopback TLS, TLS 1.3, sha256 on the fly\n\n",
        static_cast<double>(size) / (1024.0 * 1024.0));
    std::printf("%-40s %10s %15s %10s %15s  %s\n", "run", "wall", "throughput", "client CPU",
                "CPU per MiB", "attempts");
    for (int i = 1; i <= 3; ++i) {
        const std::string name = "unlimited, run " + std::to_string(i);
        row(name.c_str(), download(io, settings, url, size, dest), size);
    }
    auto limited = settings;
    limited.bandwidth_limit = limit;
    const std::string name =
        "limit " + std::to_string(limit / (1024 * 1024)) + " MiB/s (floor " +
        std::to_string(static_cast<double>(size) / static_cast<double>(limit)).substr(0, 4) + " s)";
    row(name.c_str(), download(io, limited, url, size, dest), size);
    row("drop at 50 %, resumed (Range)",
        download(io, settings, (*server)->url("/drop.bin"), size, dest), size);
    if (auto reference = curl(pki->ca_cert, url, dest)) {
        row("curl (reference; no sha256, no fsync)", *reference, size);
    }
    std::printf("\nserver sent %.1f MiB in total\n",
                static_cast<double>((*server)->body_bytes_sent()) / (1024.0 * 1024.0));
    return 0;
}
