// Pipeline benchmark: the mosquitto-bridge gateway measured like linteld.
#include <algorithm>
#include <thread>

#include "../common/proc_stats.hpp"
#include "gateway_figures.hpp"
#include "support/mosquitto_bridge.hpp"
#include "support/qos1_publisher.hpp"
#include "support/wait.hpp"

namespace lintel::bench {
namespace {

using namespace std::chrono_literals;

double ms_between(BenchClock::time_point a, BenchClock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

GatewayFigures fail(std::string why) {
    GatewayFigures f;
    f.error = std::move(why);
    return f;
}

}  // namespace

GatewayFigures measure_bridge(const std::filesystem::path& dir, const test::Pki& pki,
                              CloudSide& cloud, std::size_t points,
                              std::chrono::milliseconds outage_after_start) {
    GatewayFigures f;
    std::filesystem::create_directories(dir);
    test::MosquittoBridge bridge(dir, test::BridgeOptions::from_pki(pki, cloud.broker().port()));
    const std::string topic = bridge.options().topic;

    cloud.stop();
    if (auto r = bridge.start(); !r) return fail(r.error().message);

    // Ingest: one device, QoS 1, mosquitto's default window (max_inflight_messages 20).
    test::Qos1PublisherOptions device;
    device.host = "127.0.0.1";
    device.port = bridge.port();
    device.client_id = "device-1";
    device.window = 20;
    test::Qos1Publisher feeder(device);
    if (auto r = feeder.connect(); !r) return fail(r.error().message);
    std::string buf;
    const double cpu0 = cpu_seconds_of(bridge.pid());
    const auto fed = feeder.run(
        topic, 1, points,
        [&](std::uint64_t seq) -> std::string_view {
            buf = test::device_point_payload(seq);
            return buf;
        },
        600s);
    if (fed.acked != points)
        return fail("the local broker accepted " + std::to_string(fed.acked) + " of " +
                    std::to_string(points) + " points");
    f.ingest_rate = static_cast<double>(points) / fed.seconds;
    f.ingest_cpu_per_1k =
        (cpu_seconds_of(bridge.pid()) - cpu0) * 1000.0 / (static_cast<double>(points) / 1000.0);
    f.rss_backlog_mb = static_cast<double>(status_kib_of(bridge.pid())) / 1024.0;

    // A graceful restart with the backlog: saved to mosquitto.db on SIGTERM, loaded at start.
    const auto t_stop = BenchClock::now();
    bridge.stop();
    f.save_ms = ms_between(t_stop, BenchClock::now());
    const auto t_start = BenchClock::now();
    if (auto r = bridge.start(120s); !r) return fail(r.error().message);
    f.ready_ms = ms_between(t_start, BenchClock::now());
    f.rss_reloaded_mb = static_cast<double>(status_kib_of(bridge.pid())) / 1024.0;

    // Drain: the cloud comes back; every point is one message.
    std::this_thread::sleep_until(t_start + outage_after_start);
    const double cpu1 = cpu_seconds_of(bridge.pid());
    const auto t_listen = cloud.come_back();
    f.outage_s = std::chrono::duration<double>(t_listen - t_start).count();
    long rss_max = 0;
    BenchClock::time_point first{}, last{};
    if (!cloud.wait_messages(
            points, first, last, [&] { rss_max = std::max(rss_max, status_kib_of(bridge.pid())); },
            600s))
        return fail("the bridge drained only part of the backlog within 600 s");
    f.first_point_ms = ms_between(t_listen, first);
    f.drain_rate =
        static_cast<double>(points) / std::chrono::duration<double>(last - first).count();
    f.drain_cpu_per_1k =
        (cpu_seconds_of(bridge.pid()) - cpu1) * 1000.0 / (static_cast<double>(points) / 1000.0);
    f.rss_drain_mb = static_cast<double>(rss_max) / 1024.0;
    cloud.clear();

    // Start to ready: a restart (empty queue) until the local broker accepts devices and the
    // bridge is connected to the cloud.
    const std::size_t connections =
        test::MosquittoBridge::connections_seen(cloud.broker(), pki.gateway_id);
    bridge.stop();
    const auto t_restart = BenchClock::now();
    if (auto r = bridge.start(); !r) return fail(r.error().message);
    if (!test::wait_until(
            [&] {
                return test::MosquittoBridge::connections_seen(cloud.broker(), pki.gateway_id) >
                       connections;
            },
            60s, 1ms))
        return fail("the bridge did not reconnect after its restart");
    f.connected_ms = ms_between(t_restart, BenchClock::now());
    bridge.stop();
    f.ok = true;
    return f;
}

}  // namespace lintel::bench
