// Modbus device lifecycle: connect with backoff, poll the coalesced plan, publish values and
// health, serve writes. One coroutine per device runs everything in order on the host's loop.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "device.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <exception>
#include <optional>

#include "backoff.hpp"
#include "bus.hpp"
#include "coalesce.hpp"
#include "codec.hpp"
#include "rtu_frame.hpp"
#include "transactor.hpp"

namespace lintel::modbus {
namespace {

using namespace std::chrono_literals;
using sdk::Health;
using sdk::Quality;

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() != 0 && d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

std::string peer_text(const DeviceConfig& c) {
    if (c.serial) return c.serial->port + " unit " + std::to_string(c.unit_id);
    return c.host + ":" + std::to_string(c.port);
}

std::string range_text(Table table, std::uint16_t address, std::uint16_t count) {
    std::string s = std::string(to_string(table)) + " " + std::to_string(address);
    if (count > 1) s += "-" + std::to_string(address + count - 1);
    return s;
}

struct PendingWrite {
    std::uint64_t id = 0;
    std::string point;
    std::string target;  // "holding_register 10-11", for logs
    Request request;
    sdk::WriteDone done;
    bool sent = false;
    std::optional<Error> preset;  // failed before sending; completed by a posted call
};

}  // namespace

struct ModbusDevice::Session : std::enable_shared_from_this<ModbusDevice::Session> {
    Session(std::string name, DeviceConfig config, sdk::DeviceHost& host, std::shared_ptr<Bus> bus)
        : name_(std::move(name)),
          config_(std::move(config)),
          host_(host),
          executor_(host.executor()),
          peer_(peer_text(config_)),
          // A broadcast unit on a serial line answers nothing: it is only written, never polled.
          blocks_(config_.serial && config_.unit_id == kBroadcastUnit
                      ? std::vector<ReadBlock>{}
                      : plan_reads(config_.points, config_.max_gap)),
          block_failure_(blocks_.size()),
          point_failure_(config_.points.size(), false),
          bus_(std::move(bus)),
          settings_{config_.unit_id, config_.timeout, config_.retries,
                    config_.max_concurrent_requests, config_.request_delay},
          wake_(executor_),
          backoff_timer_(executor_) {
        last_values_.reserve(config_.points.size());
        for (const auto& p : config_.points) last_values_.push_back(zero_value(p));
    }

    // ---- host calls: every one is guarded, so nothing reaches the host after stop() ----

    void set_health(Health health, const std::string& detail) {
        if (stopped_ || health == health_) return;
        const Health before = health_;
        health_ = health;
        host_.report_health(health, detail);
        const sdk::LogField peer{"PEER", peer_};
        switch (health) {
            case Health::ok:
                host_.log().info(before == Health::starting
                                     ? "polling " + peer_ + ": " + detail
                                     : "device at " + peer_ + " answers normally again: " + detail,
                                 {peer});
                break;
            case Health::degraded:
                host_.log().warning("some reads from " + peer_ + " fail (" + detail +
                                        "); their points are published with quality=error, the "
                                        "others as usual",
                                    {peer});
                break;
            case Health::down:
                host_.log().warning("device at " + peer_ + " is down: " + detail +
                                        "; its points are published with quality=error; "
                                        "reconnecting with backoff up to " +
                                        duration_text(config_.backoff_max),
                                    {peer});
                break;
            case Health::starting:
                break;
        }
    }

    void publish(std::vector<sdk::PointValue> values) {
        if (stopped_ || values.empty()) return;
        host_.publish(std::move(values));
    }

    sdk::PointValue point_value(std::size_t index, Quality quality, std::int64_t ts) const {
        const PointConfig& p = config_.points[index];
        return sdk::PointValue{name_, p.name, last_values_[index], p.unit, quality, ts};
    }

    void go_down(const std::string& detail) {
        if (stopped_ || health_ == Health::down) return;
        set_health(Health::down, detail);
        std::vector<sdk::PointValue> values;
        const std::int64_t ts = sdk::now_unix_ms();
        for (std::size_t i = 0; i < config_.points.size(); ++i) {
            values.push_back(point_value(i, Quality::error, ts));
        }
        publish(std::move(values));
    }

    // ---- polling ----

    void note_block(std::size_t i, const Expected<Response>& result) {
        const ReadBlock& b = blocks_[i];
        const std::string address = std::to_string(b.address);
        const std::string table(to_string(b.table));
        const std::string count = std::to_string(b.count);
        std::optional<std::string>& failing = block_failure_[i];
        if (result) {
            if (failing && !stopped_) {
                host_.log().info("read of " + range_text(b.table, b.address, b.count) + " from " +
                                     peer_ + " works again",
                                 {{"ADDRESS", address}, {"TABLE", table}, {"COUNT", count}});
            }
            failing.reset();
            return;
        }
        // Log when a failure starts or changes kind, not on every poll.
        if (failing == result.error().code || stopped_) return;
        failing = result.error().code;
        host_.log().warning("read of " + range_text(b.table, b.address, b.count) + " from " +
                                peer_ + " failed: " + result.error().message + "; its " +
                                std::to_string(b.points.size()) +
                                " point(s) are published with quality=error, retrying every poll",
                            {{"ADDRESS", address},
                             {"TABLE", table},
                             {"COUNT", count},
                             {"ERROR", result.error().code}});
    }

    // One point of a successful block: its value, or an error for values that cannot be published.
    Quality take_point(const ReadBlock& b, const Response& response, std::size_t index) {
        const PointConfig& p = config_.points[index];
        const std::size_t offset = p.address - b.address;
        if (is_bit_table(p.table)) {
            last_values_[index] = decode_bit(response.bits[offset]);
            point_failure_[index] = false;
            return Quality::good;
        }
        auto value = decode_registers(
            p, std::span<const std::uint16_t>(response.registers).subspan(offset, p.width()));
        if (value) {
            last_values_[index] = std::move(*value);
            point_failure_[index] = false;
            return Quality::good;
        }
        if (!point_failure_[index] && !stopped_) {
            point_failure_[index] = true;
            const std::string address = std::to_string(p.address);
            host_.log().warning("point " + p.name + " from " + peer_ + ": " +
                                    value.error().message + "; published with quality=error",
                                {{"ADDRESS", address}, {"POINT", p.name}});
        }
        return Quality::error;
    }

    // nullopt when the link is still usable afterwards.
    asio::awaitable<std::optional<Error>> poll_cycle() {
        if (blocks_.empty()) {
            set_health(Health::ok, "broadcast unit: written, never polled");
            co_return std::nullopt;
        }
        std::vector<Job> jobs;
        jobs.reserve(blocks_.size());
        for (const ReadBlock& b : blocks_) jobs.push_back(Job{b.request()});
        const BatchOutcome outcome = co_await bus_->run(client_, jobs, settings_);
        if (stopped_) co_return std::nullopt;
        count(outcome);
        if (outcome.link_error) co_return outcome.link_error;
        if (outcome.timeouts == static_cast<int>(jobs.size())) {
            // Connected but nothing answers at all (e.g. a gateway whose serial side is dead):
            // treat as down and reconnect rather than report a device that only half works.
            co_return Error{"modbus.timeout",
                            "no answer to any request: " + jobs.front().result.error().message};
        }

        const std::int64_t ts = sdk::now_unix_ms();
        std::vector<sdk::PointValue> values;
        values.reserve(config_.points.size());
        std::size_t failed = 0;
        std::string first_failure;
        for (std::size_t i = 0; i < blocks_.size(); ++i) {
            const ReadBlock& b = blocks_[i];
            note_block(i, jobs[i].result);
            if (!jobs[i].result) {
                if (failed++ == 0) {
                    first_failure = range_text(b.table, b.address, b.count) + ": " +
                                    jobs[i].result.error().message;
                }
            }
            for (std::size_t index : b.points) {
                const Quality q =
                    jobs[i].result ? take_point(b, *jobs[i].result, index) : Quality::error;
                values.push_back(point_value(index, q, ts));
            }
        }
        publish(std::move(values));
        had_good_cycle_ = true;
        if (failed == 0) {
            set_health(Health::ok, std::to_string(config_.points.size()) + " points in " +
                                       std::to_string(blocks_.size()) + " request(s) every " +
                                       duration_text(config_.poll_interval));
        } else {
            set_health(Health::degraded,
                       std::to_string(failed) + " of " + std::to_string(blocks_.size()) +
                           " read requests failing, first " + first_failure + counters_text());
        }
        co_return std::nullopt;
    }

    // ---- writes ----

    bool has_unsent_writes() const {
        return std::any_of(writes_.begin(), writes_.end(),
                           [](const PendingWrite& w) { return !w.sent && !w.preset; });
    }

    void complete_write(std::uint64_t id, Expected<void> result) {
        auto it = std::find_if(writes_.begin(), writes_.end(),
                               [id](const PendingWrite& w) { return w.id == id; });
        if (it == writes_.end()) return;
        sdk::WriteDone done = std::move(it->done);
        writes_.erase(it);
        if (done) done(std::move(result));
    }

    void fail_unsent_writes(const Error& error) {
        std::vector<std::uint64_t> ids;
        for (const PendingWrite& w : writes_) {
            if (!w.sent && !w.preset) ids.push_back(w.id);
        }
        for (std::uint64_t id : ids) complete_write(id, std::unexpected(error));
    }

    asio::awaitable<std::optional<Error>> do_writes() {
        std::vector<std::uint64_t> ids;
        std::vector<Job> jobs;
        for (PendingWrite& w : writes_) {
            if (w.sent || w.preset) continue;
            w.sent = true;
            ids.push_back(w.id);
            jobs.push_back(Job{w.request});
        }
        const BatchOutcome outcome = co_await bus_->run(client_, jobs, settings_);
        if (stopped_) co_return std::nullopt;
        count(outcome);
        for (std::size_t k = 0; k < jobs.size(); ++k) {
            auto it = std::find_if(writes_.begin(), writes_.end(),
                                   [&](const PendingWrite& w) { return w.id == ids[k]; });
            if (it == writes_.end()) continue;
            if (jobs[k].result) {
                host_.log().debug("wrote point " + it->point + " (" + it->target + ")",
                                  {{"POINT", it->point}});
                complete_write(ids[k], Expected<void>{});
                continue;
            }
            const Error& e = jobs[k].result.error();
            host_.log().warning("write of point " + it->point + " (" + it->target + ") to " +
                                    peer_ + " failed: " + e.message,
                                {{"POINT", it->point}, {"ERROR", e.code}});
            complete_write(ids[k], std::unexpected(Error{e.code, "write of point " + it->point +
                                                                     " failed: " + e.message}));
        }
        co_return outcome.link_error;
    }

    void count(const BatchOutcome& outcome) {
        timeouts_ += static_cast<std::uint64_t>(outcome.timeouts);
        if (outcome.crc_errors > 0 && crc_errors_ == 0 && !stopped_) {
            host_.log().warning("answer from " + peer_ +
                                    " failed its CRC check (noise, wiring, termination or a "
                                    "baud rate mismatch?); such answers count as malformed, "
                                    "later ones are counted in the health detail",
                                {{"ERROR", "modbus.crc"}});
        }
        crc_errors_ += static_cast<std::uint64_t>(outcome.crc_errors);
    }

    std::string counters_text() const {
        if (timeouts_ == 0 && crc_errors_ == 0) return "";
        return " (since start: " + std::to_string(timeouts_) + " timeouts, " +
               std::to_string(crc_errors_) + " CRC errors)";
    }

    // ---- the device's one coroutine ----

    asio::awaitable<void> sleep(std::chrono::milliseconds d) {
        backoff_timer_.expires_after(d);
        boost::system::error_code ec;
        co_await backoff_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }

    // Runs until the link breaks (the returned error says how) or stop().
    asio::awaitable<Error> serve() {
        auto next_poll = Clock::now();
        for (;;) {
            if (stopped_) co_return Error{"modbus.stopped", "stopped"};
            if (has_unsent_writes()) {
                if (auto lost = co_await do_writes()) co_return *lost;
                continue;
            }
            const auto now = Clock::now();
            if (now >= next_poll) {
                if (auto lost = co_await poll_cycle()) co_return *lost;
                next_poll = std::max(now + config_.poll_interval, Clock::now());
                continue;
            }
            wake_.expires_at(next_poll);  // write() cancels it to be served at once
            boost::system::error_code ec;
            co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }

    static asio::awaitable<void> run(std::shared_ptr<Session> self) {
        const DeviceConfig& c = self->config_;
        Backoff backoff(c.backoff_max);
        while (!self->stopped_) {
            self->host_.log().debug("connecting to " + self->peer_);
            // On a shared bus this is a no-op while the port or connection is up; the retry of a
            // unit that went down is then its next probe.
            auto connected = co_await self->bus_->open(c.timeout);
            if (self->stopped_) break;
            std::string why;
            if (connected) {
                self->connected_ = true;
                self->had_good_cycle_ = false;
                const Error lost = co_await self->serve();
                self->connected_ = false;
                if (self->stopped_) break;
                if (lost.code == "modbus.timeout") self->bus_->give_up(self->client_);
                self->fail_unsent_writes(
                    Error{"modbus.not_connected",
                          "connection to " + self->peer_ + " lost: " + lost.message});
                if (self->had_good_cycle_) backoff.reset();
                why =
                    (self->bus_->shared() && lost.code == "modbus.timeout" ? "unit lost: "
                                                                           : "connection lost: ") +
                    lost.message + self->counters_text();
            } else {
                why = "cannot connect: " + connected.error().message;
            }
            self->go_down(why);
            const auto wait = backoff.next();
            if (!self->stopped_) {
                self->host_.log().debug(why + "; next attempt in " + duration_text(wait));
            }
            co_await self->sleep(wait);
        }
    }

    void start() {
        if (started_ || stopped_) return;
        started_ = true;
        client_ = bus_->attach();
        for (const auto& p : config_.points) {
            if (p.writable)
                host_.expose_writable(sdk::WritablePoint{p.name, value_kind(p), p.min, p.max});
        }
        std::weak_ptr<Session> weak = weak_from_this();
        asio::co_spawn(executor_, run(shared_from_this()), [weak](std::exception_ptr e) {
            auto self = weak.lock();
            if (!e || self == nullptr || self->stopped_) return;
            const std::string what = exception_text(e);
            self->host_.log().error("modbus device stopped working: " + what +
                                    "; restart the daemon or reload the device");
            self->set_health(Health::down, "internal error: " + what);
        });
    }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        if (started_) bus_->detach(client_);
        wake_.cancel();
        backoff_timer_.cancel();
        auto pending = std::move(writes_);
        writes_.clear();
        for (PendingWrite& w : pending) {
            if (!w.done) continue;
            w.done(std::unexpected(
                w.preset ? *w.preset
                         : Error{"modbus.stopped",
                                 "device " + name_ + " stopped before the write was confirmed"}));
        }
    }

    void write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
        if (stopped_) {
            if (done) done(make_error("modbus.stopped", "device " + name_ + " is stopped"));
            return;
        }
        PendingWrite w;
        w.id = next_write_id_++;
        w.point = std::string(point);
        w.done = std::move(done);
        auto it = std::find_if(config_.points.begin(), config_.points.end(),
                               [&](const PointConfig& p) { return p.name == point; });
        if (it == config_.points.end()) {
            w.preset = Error{"modbus.unknown_point",
                             "device " + name_ + " has no point \"" + w.point + "\""};
        } else if (auto request = write_request(*it, value); !request) {
            w.preset = request.error();
        } else {
            w.request = std::move(*request);
            w.target = range_text(it->table, it->address, it->width());
            if (!connected_) {
                w.preset =
                    Error{"modbus.not_connected", "device " + name_ + " at " + peer_ +
                                                      " is not connected; the write was not sent"};
            }
        }
        const bool failed = w.preset.has_value();
        const std::uint64_t id = w.id;
        writes_.push_back(std::move(w));
        if (!failed) {
            wake_.cancel();
            return;
        }
        // `done` must not run inside write(): the caller may not expect re-entry.
        asio::post(executor_, [weak = weak_from_this(), id] {
            auto self = weak.lock();
            if (self == nullptr || self->stopped_) return;
            auto found = std::find_if(self->writes_.begin(), self->writes_.end(),
                                      [id](const PendingWrite& x) { return x.id == id; });
            if (found == self->writes_.end()) return;
            const Error error = *found->preset;
            self->complete_write(id, std::unexpected(error));
        });
    }

    std::string name_;
    DeviceConfig config_;
    sdk::DeviceHost& host_;
    asio::any_io_executor executor_;
    std::string peer_;
    std::vector<ReadBlock> blocks_;
    std::vector<sdk::Value> last_values_;
    std::vector<std::optional<std::string>> block_failure_;  // error code being reported
    std::vector<bool> point_failure_;
    std::shared_ptr<Bus> bus_;
    TransactorSettings settings_;
    int client_ = 0;
    std::uint64_t timeouts_ = 0;
    std::uint64_t crc_errors_ = 0;
    asio::steady_timer wake_;
    asio::steady_timer backoff_timer_;
    std::deque<PendingWrite> writes_;
    std::uint64_t next_write_id_ = 1;
    Health health_ = Health::starting;
    bool started_ = false;
    bool stopped_ = false;
    bool connected_ = false;
    bool had_good_cycle_ = false;
};

ModbusDevice::ModbusDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host,
                           std::shared_ptr<Bus> bus)
    : session_(
          std::make_shared<Session>(std::move(name), std::move(config), host, std::move(bus))) {}

ModbusDevice::ModbusDevice(std::string name, DeviceConfig config, sdk::DeviceHost& host)
    : ModbusDevice(std::move(name), config, host, [&] {
          auto executor = host.executor();
          return std::make_shared<Bus>(
              executor, config.serial ? make_rtu_transport(executor, *config.serial)
                                      : make_tcp_transport(executor, config.host, config.port));
      }()) {}

ModbusDevice::~ModbusDevice() { session_->stop(); }

void ModbusDevice::start() { session_->start(); }
void ModbusDevice::stop() { session_->stop(); }
void ModbusDevice::write(std::string_view point, const sdk::Value& value, sdk::WriteDone done) {
    session_->write(point, value, std::move(done));
}

}  // namespace lintel::modbus
