// Soak: the real linteld polls a Modbus peer at a steady point rate for many minutes while the
// cloud broker (mosquitto, mutual TLS) flaps. Prints RSS, open fds and buffer size over time,
// whether they stayed flat, and whether every point linteld accepted reached the cloud.
// Not a test: run by tests/bench/soak.sh (30 min at 5k points/s by default).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../../integration/daemon/notify_listener.hpp"
#include "../../integration/modbus/peer.hpp"
#include "../common/proc_stats.hpp"
#include "support/files.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

using namespace lintel;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

struct SoakOptions {
    double minutes = 30;
    unsigned rate = 5000;  // points/s offered by the devices
    int up_s = 120;        // the broker is up this long, then down for down_s
    int down_s = 30;
    int sample_s = 10;
    unsigned devices = 10;  // each with 50 holding registers read in one request
};

constexpr unsigned kPointsPerDevice = 50;

SoakOptions parse(int argc, char** argv) {
    SoakOptions o;
    for (int i = 1; i < argc; i += 2) {
        const std::string key = argv[i];
        if (i + 1 == argc) throw std::invalid_argument(key + " needs a value");
        const std::string value = argv[i + 1];
        if (key == "--minutes")
            o.minutes = std::stod(value);
        else if (key == "--rate")
            o.rate = static_cast<unsigned>(std::stoul(value));
        else if (key == "--up")
            o.up_s = std::stoi(value);
        else if (key == "--down")
            o.down_s = std::stoi(value);
        else if (key == "--sample")
            o.sample_s = std::stoi(value);
        else
            throw std::invalid_argument("unknown option " + key);
    }
    return o;
}

// Every telemetry batch the cloud received, by seq: distinct points, re-sent batches, gaps.
class SeqLedger {
public:
    void add(std::uint64_t seq, std::size_t points) {
        if (!points_by_seq_.emplace(seq, points).second) {
            ++duplicate_batches_;
            duplicate_points_ += points;
        }
    }
    std::size_t distinct_points() const {
        std::size_t n = 0;
        for (const auto& [seq, points] : points_by_seq_) n += points;
        return n;
    }
    // Seqs never received between the first and the last one received.
    std::uint64_t missing_seqs() const {
        if (points_by_seq_.empty()) return 0;
        const auto span = points_by_seq_.rbegin()->first - points_by_seq_.begin()->first + 1;
        return span - points_by_seq_.size();
    }
    std::size_t batches() const { return points_by_seq_.size(); }
    std::size_t duplicate_batches() const { return duplicate_batches_; }
    std::size_t duplicate_points() const { return duplicate_points_; }

private:
    std::map<std::uint64_t, std::size_t> points_by_seq_;
    std::size_t duplicate_batches_ = 0;
    std::size_t duplicate_points_ = 0;
};

struct Sample {
    double minute = 0;
    long rss_kib = 0;
    int fds = 0;
    std::uintmax_t buffer_bytes = 0;  // buffer.db + its WAL
    std::uint64_t queue = 0;
    std::size_t received = 0;
    bool broker_up = true;
};

std::uintmax_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    const auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

std::uint64_t queue_of(const std::string& status) {
    const auto pos = status.find("queue=");
    return pos == std::string::npos ? 0 : std::stoull(status.substr(pos + 6));
}

std::string devices_yaml(const SoakOptions& o, std::uint16_t peer_port) {
    const auto poll_ms = o.devices * kPointsPerDevice * 1000 / o.rate;
    std::string y = "devices:\n";
    for (unsigned d = 0; d < o.devices; ++d) {
        y += "  - name: meter-" + std::to_string(d) + "\n    driver: modbus\n    host: 127.0.0.1\n";
        y += "    port: " + std::to_string(peer_port) + "\n";
        y += "    poll_interval: " + std::to_string(poll_ms) + "ms\n    timeout: 1s\n    points:\n";
        for (unsigned p = 0; p < kPointsPerDevice; ++p) {
            y += "      - {name: r" + std::to_string(p) +
                 ", table: holding_register, address: " + std::to_string(100 + p) +
                 ", type: uint16}\n";
        }
    }
    return y;
}

// `lintelctl --json status` of the linteld whose control socket is in `dir`.
nlohmann::json control_status(const fs::path& dir) {
    auto p = test::Process::spawn(
        test::ProcessOptions::of({std::string(LINTEL_BUILD_DIR) + "/bin/lintelctl", "--socket",
                                  (dir / "control.sock").string(), "--json", "status"})
            .with_stdout(test::Output::to_file(dir / "status.json")));
    if (!p || !p->wait_exit(20s)) return nullptr;
    return nlohmann::json::parse(test::read_file(dir / "status.json").value_or(""), nullptr, false);
}

}  // namespace

int main(int argc, char** argv) {
    SoakOptions o;
    try {
        o = parse(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << e.what()
                  << "\nusage: lintel_bench_soak [--minutes M] [--rate R] [--up S] [--down S] "
                     "[--sample S]\n";
        return 2;
    }
    const std::string gateway = "gw-soak";
    test::TempDir dir("lintel-soak");
    auto pki = test::Pki::generate(dir.path() / "pki", gateway);
    if (!pki) {
        std::cerr << pki.error().message << "\n";
        return 1;
    }
    // Persistence and a persistent observer session: the "cloud" itself loses nothing across its
    // restarts, so every missing point is linteld's.
    auto broker_options = test::BrokerOptions::from_pki(*pki);
    broker_options.verbose_log = false;
    broker_options.persistence = true;
    fs::create_directories(dir.path() / "broker");
    test::MosquittoBroker broker(dir.path() / "broker", broker_options);
    if (auto r = broker.start(); !r) {
        std::cerr << r.error().message << "\n";
        return 1;
    }
    auto observer_options = test::MqttTestClientOptions::observer(*pki, broker.port());
    observer_options.clean_session = false;
    test::MqttTestClient observer(observer_options);
    if (!observer.connect() || !observer.subscribe("lintel/v1/" + gateway + "/#", 1)) {
        std::cerr << "observer failed\n";
        return 1;
    }
    auto peer = modbus::test::ModbusPeer::start({});
    if (!peer) {
        std::cerr << peer.error().message << "\n";
        return 1;
    }
    fs::create_directories(dir.path() / "devices.d");
    std::ofstream(dir.path() / "devices.d" / "meters.yaml") << devices_yaml(o, (*peer)->port());
    const fs::path buffer_db = dir.path() / "buffer.db";
    std::ofstream(dir.path() / "lintel.yaml")
        << "gateway:\n  id: " << gateway
        << "\nlog:\n  level: warning\nplugins:\n  dir: " << LINTEL_PLUGIN_BUILD_DIR
        << "\ndevices_dir: " << (dir.path() / "devices.d").string()
        << "\nbuffer:\n  path: " << buffer_db.string()
        << "\ncontrol:\n  socket: " << (dir.path() / "control.sock").string()
        << "\nuplink:\n  host: localhost\n  port: " << broker.port()
        << "\n  status_interval: 5s\n  reconnect:\n    initial: 500ms\n    max: 5s\n"
        << "  tls:\n    ca_file: " << pki->ca_cert.string()
        << "\n    cert_file: " << pki->gateway.cert.string()
        << "\n    key_file: " << pki->gateway.key.string() << "\n";
    test::NotifyListener notify(dir.path() / "notify.sock");
    auto proc = test::Process::spawn(
        test::ProcessOptions::of({std::string(LINTEL_BUILD_DIR) + "/bin/linteld", "--config",
                                  (dir.path() / "lintel.yaml").string()})
            .with_env("NOTIFY_SOCKET", notify.path().string())
            .with_stderr(test::Output::to_file(dir.path() / "linteld.log")));
    if (!proc || !notify.wait_for("READY=1", 30s)) {
        std::cerr << "linteld did not become ready\n";
        return 1;
    }
    const pid_t pid = proc->pid();

    SeqLedger ledger;
    const std::string telemetry = "lintel/v1/" + gateway + "/telemetry";
    auto absorb = [&] {
        for (const auto& m : observer.take_messages()) {
            const auto doc = nlohmann::json::parse(m.payload, nullptr, false);
            if (m.topic == telemetry && !doc.is_discarded())
                ledger.add(doc.at("seq").get<std::uint64_t>(), doc.at("points").size());
        }
    };

    std::printf(
        "soak: %.0f min, %u points/s offered (%u devices x %u points), broker up %d s / down %d "
        "s\n",
        o.minutes, o.rate, o.devices, kPointsPerDevice, o.up_s, o.down_s);
    std::printf(
        "| minute | broker | linteld RSS | open fds | buffer file | queued points | received |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);

    std::vector<Sample> samples;
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(o.minutes * 60));
    auto phase_end = t0 + std::chrono::seconds(o.up_s);
    bool broker_up = true;
    auto next_sample = t0;
    int flaps = 0;
    while (Clock::now() < end) {
        if (Clock::now() >= phase_end) {
            if (broker_up) {
                broker.stop();
                ++flaps;
                phase_end = Clock::now() + std::chrono::seconds(o.down_s);
            } else if (auto r = broker.start(); !r) {
                std::cerr << "broker restart failed: " << r.error().message << "\n";
                return 1;
            } else {
                phase_end = Clock::now() + std::chrono::seconds(o.up_s);
            }
            broker_up = !broker_up;
        }
        absorb();
        if (Clock::now() >= next_sample) {
            next_sample += std::chrono::seconds(o.sample_s);
            Sample s;
            s.minute = std::chrono::duration<double>(Clock::now() - t0).count() / 60.0;
            s.rss_kib = bench::status_kib_of(pid);
            s.fds = bench::open_fds_of(pid);
            s.buffer_bytes =
                file_size_or_zero(buffer_db) + file_size_or_zero(dir.path() / "buffer.db-wal");
            s.queue = queue_of(notify.last_status());
            s.received = ledger.distinct_points();
            s.broker_up = broker_up;
            samples.push_back(s);
            const bool on_minute =
                samples.size() == 1 ||
                static_cast<int>(s.minute) != static_cast<int>(samples[samples.size() - 2].minute);
            if (on_minute) {
                std::printf("| %6.1f | %s | %7.1f MB | %d | %7.1f MB | %llu | %zu |\n", s.minute,
                            broker_up ? "up" : "down", static_cast<double>(s.rss_kib) / 1024.0,
                            s.fds, static_cast<double>(s.buffer_bytes) / 1048576.0,
                            static_cast<unsigned long long>(s.queue), s.received);
                std::fflush(stdout);
            }
        }
        if (!proc->running()) {
            std::cerr << "linteld died:\n"
                      << test::read_file(dir.path() / "linteld.log").value_or("") << "\n";
            return 1;
        }
        std::this_thread::sleep_for(200ms);  // the run's sampling pace, not a readiness wait
    }

    // The end: broker up, devices silent, the backlog drained, then the counts compared.
    if (!broker_up && !broker.start()) return 1;
    (*peer)->kill();
    const bool drained = test::wait_until(
        [&] {
            absorb();
            return queue_of(notify.last_status()) == 0;
        },
        600s, 200ms);
    absorb();
    // linteld's own count of the values it passed to the buffer, from its control socket.
    const auto status = control_status(dir.path());
    std::uint64_t accepted = 0;
    for (const auto& d : status.value("devices", nlohmann::json::array()))
        accepted += d.value("points_published", std::uint64_t{0});
    const auto dropped = status.value("drops", std::uint64_t{0});
    const bool final_status = status.is_object() && status.contains("devices");

    // Flat: compare the first and the last sample taken while the broker was up and the
    // backlog drained, after one whole flap cycle of warm-up (SQLite's file grows to the
    // largest backlog once and then reuses its pages).
    const double warmup_min = (o.up_s + o.down_s) / 60.0;
    const Sample* first = nullptr;
    const Sample* last = nullptr;
    std::uintmax_t buffer_first_cycle = 0, buffer_max = 0;
    for (const auto& s : samples) {
        buffer_max = std::max(buffer_max, s.buffer_bytes);
        if (s.minute <= 2 * warmup_min)
            buffer_first_cycle = std::max(buffer_first_cycle, s.buffer_bytes);
        if (s.minute < warmup_min || !s.broker_up || s.queue > o.rate) continue;
        if (!first) first = &s;
        last = &s;
    }
    const long rss_growth = first && last ? last->rss_kib - first->rss_kib : 0;
    const bool rss_flat = first && last && rss_growth <= std::max(1024L, first->rss_kib / 20);
    const bool fds_flat = first && last && last->fds <= first->fds + 1;
    const bool buffer_flat = buffer_max <= buffer_first_cycle + buffer_first_cycle / 10;
    const bool nothing_lost = drained && final_status && dropped == 0 &&
                              ledger.missing_seqs() == 0 && ledger.distinct_points() == accepted;

    std::printf("\nsoak verdict (%d broker flaps)\n", flaps);
    std::printf(
        "| measure | first (drained, after warm-up) | last | verdict |\n|---|---|---|---|\n");
    if (first && last) {
        std::printf("| linteld RSS | %.1f MB at %.1f min | %.1f MB at %.1f min | %s (%+ld KiB) |\n",
                    static_cast<double>(first->rss_kib) / 1024.0, first->minute,
                    static_cast<double>(last->rss_kib) / 1024.0, last->minute,
                    rss_flat ? "flat" : "GROWING", rss_growth);
        std::printf("| open fds | %d | %d | %s |\n", first->fds, last->fds,
                    fds_flat ? "flat" : "GROWING");
    }
    std::printf(
        "| buffer file (db + wal) | max %.1f MB in the first two cycles | max %.1f MB overall | %s "
        "|\n",
        static_cast<double>(buffer_first_cycle) / 1048576.0,
        static_cast<double>(buffer_max) / 1048576.0, buffer_flat ? "flat" : "GROWING");
    std::printf(
        "| points | accepted %llu, dropped %llu | received %zu distinct in %zu batches; %zu "
        "batches "
        "re-sent (%zu points); %llu seq missing | %s |\n",
        static_cast<unsigned long long>(accepted), static_cast<unsigned long long>(dropped),
        ledger.distinct_points(), ledger.batches(), ledger.duplicate_batches(),
        ledger.duplicate_points(), static_cast<unsigned long long>(ledger.missing_seqs()),
        nothing_lost ? "nothing lost" : "LOSS");
    proc->terminate();
    return rss_flat && fds_flat && buffer_flat && nothing_lost ? 0 : 1;
}
