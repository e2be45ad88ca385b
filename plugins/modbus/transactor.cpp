// Pipelined request/response matching over one Modbus TCP link (see transactor.hpp).
#include "transactor.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

namespace lintel::modbus {
namespace {

struct InFlight {
    std::uint16_t tid;
    std::size_t job;
    Clock::time_point deadline;
};

std::string format_ms(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

}  // namespace

Transactor::Transactor(asio::any_io_executor executor, std::shared_ptr<Link> link)
    : link_(std::move(link)), pace_(executor) {}

asio::awaitable<BatchOutcome> Transactor::run(std::vector<Job>& jobs, TransactorSettings settings) {
    BatchOutcome outcome;
    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < jobs.size(); ++i) queue.push_back(i);
    std::vector<int> attempts(jobs.size(), 0);
    std::vector<InFlight> in_flight;
    const auto window = static_cast<std::size_t>(std::max(1, settings.max_concurrent));

    auto fail_all = [&](const Error& error) {
        outcome.link_error = error;
        for (const InFlight& f : in_flight) jobs[f.job].result = std::unexpected(error);
        for (std::size_t i : queue) jobs[i].result = std::unexpected(error);
        in_flight.clear();
        queue.clear();
    };

    while (!queue.empty() || !in_flight.empty()) {
        while (!queue.empty() && in_flight.size() < window) {
            if (settings.request_delay.count() > 0 && last_send_) {
                // Pacing for devices (often serial gateways) that choke on back-to-back requests.
                pace_.expires_at(*last_send_ + settings.request_delay);
                boost::system::error_code ec;
                co_await pace_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            if (!link_->is_open()) {
                fail_all(Error{"modbus.closed", "connection closed"});
                break;
            }
            const std::size_t index = queue.front();
            queue.pop_front();
            const std::uint16_t tid = next_tid_++;
            auto adu = encode_request(tid, settings.unit_id, jobs[index].request);
            if (!adu) {
                jobs[index].result = std::unexpected(adu.error());
                continue;
            }
            const auto now = Clock::now();
            auto sent = co_await link_->send(*adu, now + settings.timeout);
            last_send_ = Clock::now();
            if (!sent) {
                queue.push_front(index);
                fail_all(sent.error());
                break;
            }
            ++attempts[index];
            in_flight.push_back(InFlight{tid, index, now + settings.timeout});
        }
        if (in_flight.empty()) continue;

        const auto deadline =
            std::min_element(in_flight.begin(), in_flight.end(), [](const auto& a, const auto& b) {
                return a.deadline < b.deadline;
            })->deadline;
        auto frame = co_await link_->read_frame(deadline);
        if (frame) {
            const MbapHeader header = parse_header(*frame);
            auto it = std::find_if(in_flight.begin(), in_flight.end(), [&](const InFlight& f) {
                return f.tid == header.transaction_id;
            });
            if (it == in_flight.end()) {
                ++discarded_;  // a late answer to a request we gave up on: harmless, drop it
                continue;
            }
            jobs[it->job].result =
                decode_response(it->tid, settings.unit_id, jobs[it->job].request, *frame);
            in_flight.erase(it);
            continue;
        }
        if (frame.error().code != "modbus.timeout") {
            fail_all(frame.error());
            break;
        }
        const auto now = Clock::now();
        for (auto it = in_flight.begin(); it != in_flight.end();) {
            if (it->deadline > now) {
                ++it;
                continue;
            }
            if (attempts[it->job] <= settings.retries) {
                queue.push_front(it->job);
            } else {
                jobs[it->job].result = make_error(
                    "modbus.timeout", "no response within " + format_ms(settings.timeout) + " (" +
                                          std::to_string(attempts[it->job]) +
                                          (attempts[it->job] == 1 ? " attempt)" : " attempts)"));
                ++outcome.timeouts;
            }
            it = in_flight.erase(it);
        }
    }
    co_return outcome;
}

}  // namespace lintel::modbus
