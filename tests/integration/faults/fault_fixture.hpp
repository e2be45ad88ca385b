// Fault-test fixture: the daemon fixture (linteld, mosquitto with mTLS, the cloud observer) plus a
// LAN broker and an MQTT sensor fed numbered values, so every accepted point can be counted
// exactly.
#pragma once

#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <set>
#include <thread>

#include "../daemon/daemon_fixture.hpp"

namespace lintel::test {

// "dropped=N" from a STATUS= line (buffer drops + ingest overflow).
inline std::uint64_t dropped_of(const std::string& status) {
    const auto pos = status.find("dropped=");
    return pos == std::string::npos ? 0 : std::stoull(status.substr(pos + 8));
}

// Seconds of the long broker outage: LINTEL_FAULT_OUTAGE_SECONDS, else `fallback`.
inline int outage_seconds(int fallback) {
    const char* v = std::getenv("LINTEL_FAULT_OUTAGE_SECONDS");
    return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

// What the cloud got of the sensor's numbered values: every good point of sensor/n.
struct Tally {
    std::uint64_t points = 0;        // received, duplicates included
    std::set<std::int64_t> values;   // distinct values
    std::uint64_t messages = 0;      // telemetry messages
    std::uint64_t repeated_seq = 0;  // messages whose seq came before
    std::set<std::uint64_t> seqs;    // distinct seqs
    std::uint64_t duplicates() const { return points - values.size(); }
    // Values in [from, to] that never arrived.
    std::vector<std::int64_t> missing(std::int64_t from, std::int64_t to) const {
        std::vector<std::int64_t> out;
        for (auto v = from; v <= to; ++v) {
            if (!values.contains(v)) out.push_back(v);
        }
        return out;
    }
    bool seq_gap_free() const {
        return seqs.empty() || *seqs.rbegin() - *seqs.begin() + 1 == seqs.size();
    }
};

// A sensor on the LAN broker: mosquitto_pub -l (QoS 1) publishing {"n":<i>} for i = 1, 2, ...
// fed from this process at a chosen rate, on the test thread (feed) or a background thread
// (stream_start / stream_stop).
class Feeder {
public:
    Feeder(std::uint16_t port, const std::string& topic) {
        auto p = Process::spawn(
            ProcessOptions::of({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port),
                                "-i", "fault-feeder", "-q", "1", "-t", topic, "-l"})
                .with_stdin_pipe()
                .with_stdout(Output::null()));
        if (p) process_ = std::make_unique<Process>(std::move(*p));
    }
    ~Feeder() { stream_stop(); }
    bool ok() const { return process_ != nullptr; }
    std::int64_t last() const { return next_ - 1; }  // highest value written so far

    // Writes `count` more values at about `rate` per second; returns the rate achieved.
    double feed(std::int64_t count, double rate) {
        const auto start = std::chrono::steady_clock::now();
        std::string chunk;
        for (std::int64_t i = 0; i < count; ++i) {
            chunk += "{\"n\":" + std::to_string(next_.load()) + "}\n";
            ++next_;
            if (chunk.size() < 4096 && i + 1 < count) continue;
            write_all(chunk);
            chunk.clear();
            const auto due =
                start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(double(i + 1) / rate));
            std::this_thread::sleep_until(due);  // pacing a load generator, not waiting for state
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        return double(count) / took.count();
    }
    void stream_start(double rate) {
        stop_ = false;
        thread_ = std::thread([this, rate] {
            while (!stop_) feed(static_cast<std::int64_t>(rate / 20 + 1), rate);
        });
    }
    void stream_stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    // Closes stdin: mosquitto_pub publishes what it read and exits.
    bool finish(std::chrono::milliseconds timeout) {
        stream_stop();
        process_->close_stdin();
        auto st = process_->wait_exit(timeout);
        return st && st->exited && st->code == 0;
    }

private:
    void write_all(const std::string& s) {
        std::size_t off = 0;
        while (off < s.size()) {
            const auto n = ::write(process_->stdin_fd(), s.data() + off, s.size() - off);
            if (n <= 0) return;
            off += static_cast<std::size_t>(n);
        }
    }
    std::unique_ptr<Process> process_;
    std::atomic<std::int64_t> next_{1};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class FaultTest : public DaemonTest {
protected:
    static constexpr const char* k_topic = "fault/sensor";

    void SetUp() override {
        DaemonTest::SetUp();
        if (HasFatalFailure()) return;
        BrokerOptions lan;
        lan.plain = true;
        // linteld is the only subscriber; a slow one must not make the LAN broker drop values.
        lan.extra_conf_lines = {"max_queued_messages 0"};
        fs::create_directories(dir_->path() / "lan");
        lan_ = std::make_unique<MosquittoBroker>(dir_->path() / "lan", lan);
        auto started = lan_->start();
        ASSERT_TRUE(started) << started.error().message;
        write_devices(sensor_devices());
        feeder_ = std::make_unique<Feeder>(lan_->port(), k_topic);
        ASSERT_TRUE(feeder_->ok());
    }

    void TearDown() override {
        feeder_.reset();
        DaemonTest::TearDown();
    }

    std::string sensor_devices() const {
        return "devices:\n"
               "  - name: sensor\n"
               "    driver: mqtt\n"
               "    host: 127.0.0.1\n"
               "    port: " +
               std::to_string(lan_->port()) +
               "\n"
               "    keepalive: 5s\n"
               "    points:\n"
               "      - {name: n, topic: fault/sensor, pointer: /n, type: int}\n";
    }

    // Starts linteld and waits until its sensor subscribed on the LAN broker (values published
    // before that would reach nobody).
    void start_and_subscribe() {
        const auto before = subscribes();
        start_daemon();
        if (HasFatalFailure()) return;
        ASSERT_TRUE(wait_until([&] { return subscribes() > before; }, 15s)) << lan_->log();
    }
    // linteld running with the broker stopped and values 1..n committed to its buffer.
    void build_offline_backlog(std::int64_t n, double rate) {
        start_and_subscribe();
        if (HasFatalFailure()) return;
        broker_->stop();
        feeder_->feed(n, rate);
        ASSERT_TRUE(wait_queue_at_least(static_cast<std::uint64_t>(n), 30s))
            << notify_->last_status();
    }
    std::size_t subscribes() const {
        return count_of(lan_->log(), "Received SUBSCRIBE from lintel-sensor");
    }
    // How often linteld's uplink connected (its log, across restarts).
    std::size_t connects() const {
        return count_of(daemon_log(), "uplink: connected to the broker");
    }
    static std::size_t count_of(const std::string& text, const std::string& needle) {
        std::size_t n = 0;
        for (auto pos = text.find(needle); pos != std::string::npos;
             pos = text.find(needle, pos + 1))
            ++n;
        return n;
    }

    Tally tally() const {
        Tally t;
        for (const auto& m : observer_->messages_on(telemetry_topic())) {
            const auto doc = nlohmann::json::parse(m.payload);
            const auto seq = doc.at("seq").get<std::uint64_t>();
            ++t.messages;
            if (!t.seqs.insert(seq).second) ++t.repeated_seq;
            for (const auto& p : doc.at("points")) {
                if (p.at("device") != "sensor" || p.at("quality") != "good") continue;
                ++t.points;
                t.values.insert(p.at("value").get<std::int64_t>());
            }
        }
        return t;
    }
    std::size_t telemetry_messages() const {
        return observer_->messages_on(telemetry_topic()).size();
    }
    bool wait_values(std::int64_t from, std::int64_t to, std::chrono::milliseconds timeout) const {
        return wait_until([&] { return tally().missing(from, to).empty(); }, timeout, 200ms);
    }
    bool wait_queue_at_least(std::uint64_t n, std::chrono::milliseconds timeout) {
        return wait_until([&] { return queue_of(notify_->last_status()) >= n; }, timeout, 50ms);
    }

    // The one machine-readable line per test (tests/integration/faults/run.sh builds its table).
    static void report(const std::string& fault, std::uint64_t accepted, std::uint64_t received,
                       std::uint64_t lost, std::uint64_t duplicates, const std::string& note) {
        std::cout << "LINTEL-FAULT|linteld|" << fault << "|accepted=" << accepted
                  << "|received=" << received << "|lost=" << lost << "|duplicates=" << duplicates
                  << "|" << note << std::endl;
    }

    static bool is_root() { return ::geteuid() == 0; }

    std::uint64_t rss_kib() const {
        std::ifstream in("/proc/" + std::to_string(daemon_->pid()) + "/status");
        std::string line;
        while (std::getline(in, line)) {
            if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
        }
        return 0;
    }

    std::unique_ptr<MosquittoBroker> lan_;
    std::unique_ptr<Feeder> feeder_;
};

// Runs a shell command (tc, ip, mount), failing the test with its output when it fails.
inline Expected<std::string> sh(const std::string& command) {
    std::string out;
    FILE* f = ::popen((command + " 2>&1").c_str(), "r");
    if (f == nullptr) return make_error("test.sh", "popen failed: " + command);
    char buf[512];
    while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
    const int rc = ::pclose(f);
    if (rc != 0) return make_error("test.sh", command + " failed: " + out);
    return out;
}

}  // namespace lintel::test
