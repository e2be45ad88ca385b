// Fair request scheduling across the units of a shared transport (see bus.hpp).
#include "bus.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace lintel::modbus {
namespace {

bool timed_out(const Job& job) {
    return !job.result && job.result.error().code == "modbus.timeout";
}

}  // namespace

struct Bus::Submission {
    explicit Submission(asio::any_io_executor executor) : wake(std::move(executor)) {}
    int client = 0;
    std::vector<Job> jobs;
    TransactorSettings settings;
    std::size_t next = 0;  // first job not sent yet
    BatchOutcome outcome;
    bool done = false;
    asio::steady_timer wake;
};

Bus::Bus(asio::any_io_executor executor, std::unique_ptr<Transport> transport)
    : executor_(executor), transport_(std::move(transport)), opened_(executor) {}

Bus::~Bus() { transport_->close(); }

int Bus::attach() {
    clients_.push_back(Client{next_client_, false, nullptr});
    return next_client_++;
}

Bus::Client* Bus::find(int client) {
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [client](const Client& c) { return c.id == client; });
    return it == clients_.end() ? nullptr : &*it;
}

void Bus::finish(Submission& submission) {
    submission.done = true;
    submission.wake.cancel();
    if (Client* c = find(submission.client); c != nullptr && c->pending.get() == &submission) {
        c->pending.reset();
    }
}

void Bus::fail_all(const Error& error) {
    for (Client& c : clients_) {
        if (c.pending == nullptr) continue;
        auto submission = c.pending;
        for (std::size_t k = submission->next; k < submission->jobs.size(); ++k) {
            submission->jobs[k].result = std::unexpected(error);
        }
        submission->next = submission->jobs.size();
        submission->outcome.link_error = error;
        finish(*submission);
    }
}

void Bus::detach(int client) {
    auto it = std::find_if(clients_.begin(), clients_.end(),
                           [client](const Client& c) { return c.id == client; });
    if (it == clients_.end()) return;
    std::shared_ptr<Submission> pending = it->pending;
    clients_.erase(it);
    if (pending != nullptr) {
        pending->outcome.link_error = Error{"modbus.stopped", "stopped"};
        pending->done = true;
        pending->wake.cancel();
    }
    if (clients_.empty()) {
        transport_->close();
        opened_.cancel();
    }
}

void Bus::give_up(int client) {
    if (find(client) == nullptr) return;
    // Reopen only when no unit answers any more: then the connection itself may be the problem
    // (a half-open TCP connection, a bridge that needs a new session).
    if (std::all_of(clients_.begin(), clients_.end(), [](const Client& c) { return c.suspect; })) {
        transport_->close();
    }
}

asio::awaitable<Expected<void>> Bus::open(std::chrono::milliseconds timeout) {
    if (transport_->is_open()) co_return Expected<void>{};
    if (opening_) {
        while (opening_) {
            opened_.expires_at(Clock::time_point::max());
            boost::system::error_code ignored;
            co_await opened_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        if (transport_->is_open()) co_return Expected<void>{};
        co_return std::unexpected(
            open_error_.value_or(Error{"modbus.connect", "could not open " + describe()}));
    }
    opening_ = true;
    auto opened = co_await transport_->open(timeout);
    opening_ = false;
    if (opened) {
        open_error_.reset();
    } else {
        open_error_ = opened.error();
    }
    opened_.cancel();
    co_return opened;
}

asio::awaitable<BatchOutcome> Bus::run(int client, std::vector<Job>& jobs,
                                       TransactorSettings settings) {
    Client* c = find(client);
    if (c == nullptr || jobs.empty()) co_return BatchOutcome{};
    auto submission = std::make_shared<Submission>(executor_);
    submission->client = client;
    submission->jobs = std::move(jobs);
    submission->settings = settings;
    c->pending = submission;
    if (!pumping_) {
        pumping_ = true;
        std::weak_ptr<Bus> weak = weak_from_this();
        asio::co_spawn(executor_, pump(shared_from_this()), [weak](std::exception_ptr e) {
            auto self = weak.lock();
            if (self == nullptr) return;
            self->pumping_ = false;
            if (e) self->fail_all(Error{"modbus.internal", "request scheduler failed"});
        });
    }
    while (!submission->done) {
        submission->wake.expires_at(Clock::time_point::max());
        boost::system::error_code ignored;
        co_await submission->wake.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    jobs = std::move(submission->jobs);
    co_return submission->outcome;
}

asio::awaitable<void> Bus::pump(std::shared_ptr<Bus> self) {
    for (;;) {
        // Round robin: the first unit with work at or after the turn, then the turn moves past it.
        std::shared_ptr<Submission> submission;
        bool suspect = false;
        const std::size_t n = self->clients_.size();
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t index = (self->turn_ + k) % n;
            if (self->clients_[index].pending == nullptr) continue;
            submission = self->clients_[index].pending;
            suspect = self->clients_[index].suspect;
            self->turn_ = (index + 1) % n;
            break;
        }
        if (submission == nullptr) {
            // Cleared here, with no suspension since the last look at the queues, so that the
            // next run() starts a new pump instead of queueing behind one that has finished.
            self->pumping_ = false;
            co_return;
        }
        if (!self->transport_->is_open()) {
            self->fail_all(Error{"modbus.closed", self->describe() + " is not open"});
            continue;
        }

        TransactorSettings settings = submission->settings;
        if (suspect) settings.retries = 0;
        // Alone on a transport that pipelines, a unit keeps its max_concurrent_requests window;
        // otherwise one request at a time, so the next unit's turn comes after each request.
        const bool whole = self->clients_.size() == 1 && self->transport_->pipelines();
        if (!whole) settings.max_concurrent = 1;
        const std::size_t first = submission->next;
        const std::size_t last = whole ? submission->jobs.size() : first + 1;
        std::vector<Job> slice;
        for (std::size_t k = first; k < last; ++k) slice.push_back(submission->jobs[k]);
        const BatchOutcome outcome = co_await self->transport_->run(slice, settings);
        if (submission->done) continue;  // detached while its request was on the wire
        const bool any_timeout = std::any_of(slice.begin(), slice.end(), timed_out);
        for (std::size_t k = first; k < last; ++k) {
            submission->jobs[k] = std::move(slice[k - first]);
        }
        submission->next = last;
        submission->outcome.timeouts += outcome.timeouts;
        submission->outcome.crc_errors += outcome.crc_errors;
        if (outcome.link_error) {
            self->transport_->close();
            self->fail_all(*outcome.link_error);
            continue;
        }
        if (Client* c = self->find(submission->client); c != nullptr) c->suspect = any_timeout;
        if (any_timeout && !whole) {
            // The unit did not answer: the rest of its batch would cost a timeout each.
            const std::uint8_t unit = settings.unit_id;
            for (std::size_t k = submission->next; k < submission->jobs.size(); ++k) {
                submission->jobs[k].result =
                    make_error("modbus.timeout", "not sent: unit " + std::to_string(unit) +
                                                     " did not answer an earlier request");
                ++submission->outcome.timeouts;
            }
            submission->next = submission->jobs.size();
        }
        if (submission->next == submission->jobs.size()) self->finish(*submission);
    }
}

std::shared_ptr<Bus> BusRegistry::acquire(asio::any_io_executor executor, const std::string& device,
                                          const DeviceConfig& config, std::string& conflict) {
    const std::string key = config.serial
                                ? "serial:" + config.serial->port
                                : "tcp:" + config.host + ":" + std::to_string(config.port);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        auto bus = it->second.bus.lock();
        const bool replacing = it->second.owner == device;  // a reload of the port's first device
        if (bus != nullptr && !replacing) {
            if (config.serial && it->second.serial &&
                !config.serial->same_line_settings(*it->second.serial)) {
                conflict = "serial settings " + config.serial->describe() + " differ from " +
                           it->second.serial->describe() + " of device \"" + it->second.owner +
                           "\" on the same port " + config.serial->port +
                           "; devices on one port must use the same baud, parity, data_bits and "
                           "stop_bits";
                return nullptr;
            }
            return bus;
        }
    }
    auto transport = config.serial ? make_rtu_transport(executor, *config.serial)
                                   : make_tcp_transport(executor, config.host, config.port);
    auto bus = std::make_shared<Bus>(executor, std::move(transport));
    entries_[key] = Entry{bus, device, config.serial};
    return bus;
}

}  // namespace lintel::modbus
