// Runs a batch of Modbus requests over one Link: pipelining up to a window of outstanding
// requests matched by transaction id, pacing, per-request deadline and retries on timeout.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "frame.hpp"
#include "link.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::modbus {

struct Job {
    Request request;
    Expected<Response> result = make_error("modbus.not_sent", "request was not sent");
};

struct TransactorSettings {
    std::uint8_t unit_id = 1;
    std::chrono::milliseconds timeout{1000};
    int retries = 1;
    int max_concurrent = 1;
    std::chrono::milliseconds request_delay{0};
};

struct BatchOutcome {
    // Set when the link broke during the batch; jobs not answered carry this error too.
    std::optional<Error> link_error;
    int timeouts = 0;    // jobs that ended in modbus.timeout
    int crc_errors = 0;  // answers with a bad checksum (RTU only)
};

class Transactor {
public:
    Transactor(asio::any_io_executor executor, std::shared_ptr<Link> link);

    // Fills in every job's result. `jobs` must outlive the returned awaitable. Settings come per
    // batch: devices behind one TCP-to-RTU bridge share the connection with their own unit ids.
    asio::awaitable<BatchOutcome> run(std::vector<Job>& jobs, TransactorSettings settings);
    // Cancels a pacing wait in progress (used on stop).
    void cancel() { pace_.cancel(); }
    // Late answers to requests that already timed out, discarded so far (for tests and logs).
    std::uint64_t discarded() const { return discarded_; }

private:
    std::shared_ptr<Link> link_;
    asio::steady_timer pace_;
    std::uint16_t next_tid_ = 1;
    std::optional<Clock::time_point> last_send_;
    std::uint64_t discarded_ = 0;
};

}  // namespace lintel::modbus
