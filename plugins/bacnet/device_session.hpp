// The state of one running BACnet device, shared by its parts: lifecycle and binding
// (device.cpp), reads (device_reads.cpp), COV (device_cov.cpp) and writes (device_writes.cpp).
// Everything runs on the host's loop; one coroutine drives binding, subscriptions and polling,
// while notifications, I-Am and writes arrive as callbacks. Internal to the plugin.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "batch_reader.hpp"
#include "channel.hpp"
#include "config.hpp"
#include "cov_schedule.hpp"
#include "lintel/plugin.hpp"
#include "network_registry.hpp"
#include "relinquish_store.hpp"

namespace lintel::bacnet {

using Clock = std::chrono::steady_clock;

struct PointState {
    sdk::Value value;  // the last good value (or a zero of the point's type before the first)
    std::string unit;
    bool unit_known = false;
    std::optional<std::string> failing;  // error code being reported, logged once
};

struct ObjectState {
    ObjectId id;
    std::vector<std::size_t> points;  // indexes into config.points
    bool cov_wanted = false;
    CovSubscription cov;
    bool cov_polling_logged = false;  // "polling it instead" said once per episode
    std::optional<BitString> status_flags;
};

struct PendingWrite {
    std::uint64_t id = 0;
    sdk::WriteDone done;
};

struct DeviceSession : std::enable_shared_from_this<DeviceSession> {
    DeviceSession(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                  std::shared_ptr<NetworkRegistry> registry);

    // ---- device.cpp: lifecycle, binding, health ----
    void start();
    void stop();
    static asio::awaitable<void> run(std::shared_ptr<DeviceSession> self);
    asio::awaitable<bool> attach_network();
    asio::awaitable<bool> bind();
    asio::awaitable<bool> probe();
    asio::awaitable<void> sleep_until(Clock::time_point when);
    void wake();
    void on_i_am(const IAm& i_am, const Peer& from);
    bool is_this_device(const IAm& i_am, const Peer& from) const;
    void set_health(sdk::Health health, const std::string& detail);
    void go_down(const std::string& why);
    void came_back();
    void publish(std::vector<sdk::PointValue> values);
    sdk::PointValue point_value(std::size_t index, sdk::Quality quality, std::int64_t ts) const;
    std::string label(std::size_t point) const;  // "point temp (AI:1 present-value)"
    std::size_t max_apdu() const;

    // ---- device_reads.cpp ----
    asio::awaitable<bool> poll_cycle();  // false: the device did not answer at all
    asio::awaitable<void> read_units();
    // The point's new value from `values` (or its failure), published into `out`.
    void take_values(std::size_t point, const Expected<Values>& values, sdk::Quality quality,
                     std::int64_t ts, std::vector<sdk::PointValue>& out);
    // Logs points whose reading started or stopped failing, grouped by reason.
    void log_point_changes(const std::vector<std::size_t>& changed);
    void refresh_health();

    // ---- device_cov.cpp ----
    asio::awaitable<bool> maintain_cov();  // false: no SubscribeCOV was answered
    void on_notification(const CovNotification& n, const Peer& from);
    void forget_subscriptions();
    void cancel_subscriptions();
    bool object_polled(const ObjectState& o, Clock::time_point now) const;
    std::optional<Clock::time_point> next_cov_event() const;

    // ---- device_writes.cpp ----
    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done);
    void finish_write(std::uint64_t id, Expected<void> result);
    void load_timed_relinquishes();
    void save_timed_relinquishes();
    void schedule_relinquish(const PointConfig& point);
    void drop_timed_relinquish(const ObjectId& object, std::uint8_t priority);
    void arm_relinquish_timer();
    void run_due_relinquishes();
    std::string device_key() const;
    static std::string slot_key(const ObjectId& object, std::uint8_t priority);

    // ---- state ----
    std::string name_;
    DeviceConfig config_;
    sdk::DeviceHost& host_;
    std::shared_ptr<NetworkRegistry> registry_;
    asio::any_io_executor executor_;
    std::uint32_t process_id_ = 0;

    std::shared_ptr<Network> network_;
    std::shared_ptr<Channel> channel_;
    ListenerId i_am_listener_ = 0;
    bool cov_listening_ = false;

    std::vector<PointState> points_;
    std::vector<ObjectState> objects_;

    bool bound_ = false;
    std::uint32_t max_apdu_ = 480;           // until an I-Am says otherwise
    std::optional<std::uint32_t> instance_;  // configured, or learnt from the I-Am
    bool binding_ = false;
    std::optional<DeviceAddress> found_;  // the I-Am a bind() waits for
    Clock::time_point last_i_am_resubscribe_{};

    std::unique_ptr<BatchReader> reader_;
    bool units_pending_ = true;
    Clock::time_point next_poll_{};
    std::uint64_t requests_last_cycle_ = 0;
    std::size_t polled_last_cycle_ = 0;

    sdk::Health health_ = sdk::Health::starting;
    bool down_published_ = false;
    std::string last_down_reason_;

    asio::steady_timer wake_;
    asio::steady_timer relinquish_timer_;
    std::map<std::uint64_t, PendingWrite> writes_;
    std::uint64_t next_write_id_ = 1;
    std::vector<TimedRelinquish> timed_;
    std::set<std::string> relinquish_sending_;   // slot_key() of relinquishes on their way
    Clock::time_point relinquish_not_before_{};  // after a failed attempt
    bool started_ = false;
    bool stopped_ = false;
};

}  // namespace lintel::bacnet
