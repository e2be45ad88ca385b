// Uplink benchmark: raw libmosquitto QoS 1 publishing over mTLS vs the Session draining an
// in-memory BatchSource, both against a local mosquitto. Prints points/s and msgs/s.
//
//   lintel_bench_uplink [--points N] [--batch P] [--window W]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "support/asio_run.hpp"
#include "support/capture_logger.hpp"
#include "support/fake_batch_source.hpp"
#include "support/files.hpp"
#include "support/mosquitto_broker.hpp"
#include "support/pki.hpp"
#include "support/qos1_publisher.hpp"
#include "uplink/session.hpp"

namespace {

using namespace std::chrono_literals;
using lintel::test::FakeBatchSource;
using Clock = std::chrono::steady_clock;

constexpr const char* kGateway = "gw-bench";

struct Row {
    std::string path;
    std::size_t points_per_msg = 0;
    std::size_t msg_bytes = 0;
    std::size_t msgs = 0;
    double seconds = 0;
};

// A telemetry message of `points` points, shaped like the real encoder's output (~90 B/point).
std::string make_payload(std::uint64_t seq, std::size_t points) {
    std::string s = R"({"gateway":"gw-bench","seq":)" + std::to_string(seq) + R"(,"points":[)";
    for (std::size_t i = 0; i < points; ++i) {
        if (i) s += ',';
        s += R"({"device":"plc-1","point":"holding_)" + std::to_string(i % 1000) + R"(","value":)" +
             std::to_string(20.0 + static_cast<double>(i % 100) / 10.0) + R"(,"ts":1700000000)" +
             std::to_string(100 + i % 900) + R"(,"unit":"degC","quality":"good"})";
    }
    return s + "]}";
}

// The physical limit: one libmosquitto client, its own loop, `window` QoS 1 in flight.
Row bench_raw(const lintel::test::Pki& pki, std::uint16_t port, std::size_t msgs,
              std::size_t points_per_msg, int window) {
    lintel::test::Qos1PublisherOptions o;
    o.port = port;
    o.client_id = kGateway;
    o.ca_cert = pki.ca_cert;
    o.client = pki.gateway;
    o.window = window;
    lintel::test::Qos1Publisher publisher(o);
    if (auto r = publisher.connect(); !r) {
        std::fprintf(stderr, "raw: %s\n", r.error().message.c_str());
        std::exit(1);
    }
    const std::string payload = make_payload(1, points_per_msg);
    const auto r = publisher.run(
        std::string("lintel/v1/") + kGateway + "/telemetry", 1, msgs,
        [&](std::uint64_t) { return std::string_view(payload); }, 600s);
    if (r.acked != msgs) {
        std::fprintf(stderr, "raw: %llu of %zu acknowledged\n",
                     static_cast<unsigned long long>(r.acked), msgs);
        std::exit(1);
    }
    return {"raw libmosquitto (own loop)", points_per_msg, payload.size(), msgs, r.seconds};
}

Row bench_session(const lintel::test::Pki& pki, std::uint16_t port, std::size_t msgs,
                  std::size_t points_per_msg, int window) {
    boost::asio::io_context io;
    lintel::test::CaptureLogger log("bench", false);
    FakeBatchSource source(io.get_executor());
    const std::string sample = make_payload(1, points_per_msg);
    for (std::size_t i = 0; i < msgs; ++i)
        source.add(make_payload(i + 1, points_per_msg), points_per_msg);

    lintel::uplink::UplinkConfig c;
    c.host = "localhost";
    c.port = port;
    c.gateway_id = kGateway;
    c.tls = {pki.ca_cert, pki.gateway.cert, pki.gateway.key, pki.ca_crl, std::nullopt};
    c.max_in_flight = static_cast<std::size_t>(window);
    c.batch.max_points = points_per_msg;
    lintel::uplink::Session session(io.get_executor(), c, source, log,
                                    [] { return lintel::store::BufferStats{}; });
    Clock::time_point t0{};
    session.on_state_change([&](lintel::uplink::LinkState s, std::string_view) {
        if (s == lintel::uplink::LinkState::connected) t0 = Clock::now();
    });
    if (auto r = session.start(); !r) {
        std::fprintf(stderr, "session: %s\n", r.error().message.c_str());
        std::exit(1);
    }
    if (!lintel::test::run_until(
            io, [&] { return source.acked().size() == msgs; }, 600s, 50ms)) {
        std::fprintf(stderr, "session: timed out (%zu of %zu acked)\n", source.acked().size(),
                     msgs);
        std::exit(1);
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    bool done = false;
    session.async_stop(2s, [&] { done = true; });
    lintel::test::run_until(
        io, [&] { return done; }, 5s);
    return {"Session + in-memory store", points_per_msg, sample.size(), msgs, secs};
}

void print(const Row& r) {
    const double msgs_s = static_cast<double>(r.msgs) / r.seconds;
    std::printf("| %-27s | %7zu | %9zu | %7zu | %7.2f | %9.0f | %11.0f |\n", r.path.c_str(),
                r.points_per_msg, r.msg_bytes, r.msgs, r.seconds, msgs_s,
                msgs_s * static_cast<double>(r.points_per_msg));
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t points = 1'000'000;
    std::size_t batch = 500;
    int window = 32;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--points"))
            points = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--batch"))
            batch = std::strtoull(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--window"))
            window = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: %s [--points N] [--batch P] [--window W]\n", argv[0]);
            return 2;
        }
    }
    if (batch == 0 || points < batch || window < 1) return 2;

    lintel::test::TempDir dir("lintel-bench-uplink");
    auto pki = lintel::test::Pki::generate(dir / "pki", kGateway);
    if (!pki) {
        std::fprintf(stderr, "%s\n", pki.error().message.c_str());
        return 1;
    }
    auto options = lintel::test::BrokerOptions::from_pki(*pki);
    options.verbose_log = false;
    // Without it the broker's PUBACKs wait for Nagle: a QoS 1 window then stalls on ACK timing.
    options.extra_conf_lines.push_back("set_tcp_nodelay true");
    lintel::test::MosquittoBroker broker(dir.path(), options);
    if (auto r = broker.start(); !r) {
        std::fprintf(stderr, "%s\n", r.error().message.c_str());
        return 1;
    }
    const std::size_t msgs = points / batch;
    const std::size_t small_msgs = std::min<std::size_t>(points / 10, 50'000);
    std::printf(
        "mosquitto 2.0.11 on localhost, mTLS, MQTT 5 QoS 1, %d in flight, no subscriber\n\n",
        window);
    std::printf("| %-27s | %7s | %9s | %7s | %7s | %9s | %11s |\n", "path", "pts/msg", "bytes/msg",
                "msgs", "seconds", "msgs/s", "points/s");
    std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(29, '-').c_str(),
                std::string(9, '-').c_str(), std::string(11, '-').c_str(),
                std::string(9, '-').c_str(), std::string(9, '-').c_str(),
                std::string(11, '-').c_str(), std::string(13, '-').c_str());
    print(bench_raw(*pki, broker.port(), msgs, batch, window));
    print(bench_session(*pki, broker.port(), msgs, batch, window));
    print(bench_raw(*pki, broker.port(), small_msgs, 1, window));
    print(bench_session(*pki, broker.port(), small_msgs, 1, window));
    broker.stop();
    return 0;
}
