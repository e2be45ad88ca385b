// Unit tests of the shared bus scheduler against a scripted transport: round robin across units,
// a dead unit's batch cut at its first timeout, probes without retries, whole batches when alone.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "bus.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "support/asio_run.hpp"
#include "support/watchdog.hpp"

namespace lintel::modbus {
namespace {

using namespace std::chrono_literals;

struct Call {
    std::uint8_t unit;
    std::size_t jobs;
    int retries;
    int max_concurrent;
};

// Answers every request at once, except for units listed as dead (a timeout, as after retries).
class ScriptedTransport final : public Transport {
public:
    ScriptedTransport(std::vector<Call>& calls, std::set<std::uint8_t> dead, bool pipelines)
        : calls_(calls), dead_(std::move(dead)), pipelines_(pipelines) {}

    asio::awaitable<Expected<void>> open(std::chrono::milliseconds) override {
        open_ = true;
        co_return Expected<void>{};
    }
    bool is_open() const override { return open_; }
    bool pipelines() const override { return pipelines_; }
    void close() override { open_ = false; }
    std::string describe() const override { return "scripted"; }
    asio::awaitable<BatchOutcome> run(std::vector<Job>& jobs,
                                      TransactorSettings settings) override {
        calls_.push_back(
            Call{settings.unit_id, jobs.size(), settings.retries, settings.max_concurrent});
        // A request takes a moment, as on a real line, so the test can act between requests.
        asio::steady_timer line(co_await asio::this_coro::executor, 1ms);
        co_await line.async_wait(asio::use_awaitable);
        BatchOutcome outcome;
        for (Job& job : jobs) {
            if (dead_.count(settings.unit_id) != 0) {
                job.result = make_error("modbus.timeout", "no response");
                ++outcome.timeouts;
            } else {
                job.result = Response{std::vector<std::uint16_t>(job.request.count, 1), {}};
            }
        }
        co_return outcome;
    }

private:
    std::vector<Call>& calls_;
    std::set<std::uint8_t> dead_;
    bool pipelines_;
    bool open_ = false;
};

std::vector<Job> reads(std::size_t n) {
    std::vector<Job> jobs;
    for (std::size_t i = 0; i < n; ++i) {
        Request r;
        r.address = static_cast<std::uint16_t>(i * 10);
        r.count = 2;
        jobs.push_back(Job{r});
    }
    return jobs;
}

struct Unit {
    int client = 0;
    TransactorSettings settings;
    std::vector<Job> jobs;
    BatchOutcome outcome;
    bool done = false;
};

void submit(asio::io_context& io, std::shared_ptr<Bus> bus, Unit& unit) {
    asio::co_spawn(
        io,
        [bus, &unit]() -> asio::awaitable<void> {
            static_cast<void>(co_await bus->open(1s));
            unit.outcome = co_await bus->run(unit.client, unit.jobs, unit.settings);
            unit.done = true;
        },
        asio::detached);
}

class ModbusBus : public ::testing::Test {
protected:
    std::shared_ptr<Bus> make(std::set<std::uint8_t> dead, bool pipelines) {
        return std::make_shared<Bus>(io_.get_executor(), std::make_unique<ScriptedTransport>(
                                                             calls_, std::move(dead), pipelines));
    }
    Unit unit(Bus& bus, std::uint8_t id, std::size_t jobs, int retries = 1) {
        Unit u;
        u.client = bus.attach();
        u.settings.unit_id = id;
        u.settings.retries = retries;
        u.settings.max_concurrent = 4;
        u.jobs = reads(jobs);
        return u;
    }

    test::TestWatchdog watchdog_{10s};
    asio::io_context io_;
    std::vector<Call> calls_;
};

TEST_F(ModbusBus, RoundRobinKeepsASmallUnitFromWaitingBehindABigOne) {
    auto bus = make({}, false);
    Unit big = unit(*bus, 1, 40);
    Unit small = unit(*bus, 2, 2);
    submit(io_, bus, big);
    submit(io_, bus, small);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return big.done && small.done; }, 5s));
    ASSERT_EQ(calls_.size(), 42U);
    // One request per turn: the small unit's two requests go out among the first four.
    std::vector<std::size_t> small_at;
    for (std::size_t i = 0; i < calls_.size(); ++i) {
        EXPECT_EQ(calls_[i].jobs, 1U);
        EXPECT_EQ(calls_[i].max_concurrent, 1);
        if (calls_[i].unit == 2) small_at.push_back(i);
    }
    ASSERT_EQ(small_at.size(), 2U);
    EXPECT_LE(small_at[1], 3U);
    for (const Job& j : big.jobs) EXPECT_TRUE(j.result);
    for (const Job& j : small.jobs) EXPECT_TRUE(j.result);
}

TEST_F(ModbusBus, DeadUnitCostsOneRequestPerCycleAndProbesWithoutRetries) {
    auto bus = make({3}, false);
    Unit live = unit(*bus, 1, 4);
    Unit dead = unit(*bus, 3, 5, 2);
    submit(io_, bus, live);
    submit(io_, bus, dead);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return live.done && dead.done; }, 5s));
    std::size_t dead_calls = 0;
    for (const Call& c : calls_) {
        if (c.unit != 3) continue;
        ++dead_calls;
        EXPECT_EQ(c.retries, 2);  // not yet known to be dead: its own retries
    }
    EXPECT_EQ(dead_calls, 1U);
    EXPECT_EQ(dead.outcome.timeouts, 5);
    for (const Job& j : dead.jobs) {
        ASSERT_FALSE(j.result);
        EXPECT_EQ(j.result.error().code, "modbus.timeout");
    }
    for (const Job& j : live.jobs) EXPECT_TRUE(j.result);

    // The next cycle of the dead unit is a probe: one request, no retries.
    calls_.clear();
    dead.done = false;
    dead.jobs = reads(5);
    submit(io_, bus, dead);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return dead.done; }, 5s));
    ASSERT_EQ(calls_.size(), 1U);
    EXPECT_EQ(calls_[0].retries, 0);
}

TEST_F(ModbusBus, GivingUpClosesTheTransportOnlyWhenNoUnitAnswers) {
    auto bus = make({3, 4}, false);
    Unit live = unit(*bus, 1, 2);
    Unit dead = unit(*bus, 3, 2);
    Unit other_dead = unit(*bus, 4, 2);
    submit(io_, bus, live);
    submit(io_, bus, dead);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return live.done && dead.done; }, 5s));
    bus->give_up(dead.client);
    EXPECT_TRUE(bus->is_open());  // unit 1 still answers on it
    bus->detach(live.client);
    submit(io_, bus, other_dead);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return other_dead.done; }, 5s));
    bus->give_up(other_dead.client);
    EXPECT_FALSE(bus->is_open());  // nobody answers: reconnect on the next attempt
}

TEST_F(ModbusBus, AloneOnATcpConnectionTheWholeBatchIsPipelined) {
    auto bus = make({}, true);
    Unit only = unit(*bus, 1, 6);
    submit(io_, bus, only);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return only.done; }, 5s));
    ASSERT_EQ(calls_.size(), 1U);
    EXPECT_EQ(calls_[0].jobs, 6U);
    EXPECT_EQ(calls_[0].max_concurrent, 4);
    EXPECT_FALSE(bus->shared());
}

TEST_F(ModbusBus, DetachEndsTheUnitsQueuedBatch) {
    auto bus = make({}, false);
    Unit a = unit(*bus, 1, 30);
    Unit b = unit(*bus, 2, 30);
    submit(io_, bus, a);
    submit(io_, bus, b);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return calls_.size() >= 4; }, 5s));
    bus->detach(b.client);
    ASSERT_TRUE(test::run_until(
        io_, [&] { return a.done && b.done; }, 5s));
    ASSERT_TRUE(b.outcome.link_error);
    EXPECT_EQ(b.outcome.link_error->code, "modbus.stopped");
    for (const Job& j : a.jobs) EXPECT_TRUE(j.result);
}

}  // namespace
}  // namespace lintel::modbus
