// A bus shared by the devices (units) that reach it through one transport: a serial port, or one
// TCP connection to a TCP-to-RTU bridge. It sends one request at a time, round robin across the
// units with work queued, and stops a unit's batch at its first timeout, so a dead unit costs one
// timeout per cycle and cannot starve the others. A BusRegistry (one per driver) hands out buses.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "transactor.hpp"
#include "transport.hpp"

namespace lintel::modbus {

class Bus : public std::enable_shared_from_this<Bus> {
public:
    Bus(asio::any_io_executor executor, std::unique_ptr<Transport> transport);
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // A new unit on the bus; its id is used in every other call.
    int attach();
    // Ends the unit's queued batch (modbus.stopped); closes the transport after the last one.
    void detach(int client);
    // Opens the transport unless it is open; callers arriving during an attempt share it.
    asio::awaitable<Expected<void>> open(std::chrono::milliseconds timeout);
    // Runs `jobs` for `client` with its settings, interleaved with other units' jobs. A unit
    // whose last request timed out is sent its next one without retries (a probe).
    asio::awaitable<BatchOutcome> run(int client, std::vector<Job>& jobs,
                                      TransactorSettings settings);
    // The client gave up on its unit after a cycle without answers. When no unit on the transport
    // answers any more (always the case for a unit alone on it), the transport is closed so that
    // the next attempt reconnects (a gateway that lost its serial side may need it); otherwise it
    // stays up for the units that still answer.
    void give_up(int client);

    bool shared() const { return clients_.size() > 1; }
    bool is_open() const { return transport_->is_open(); }
    std::string describe() const { return transport_->describe(); }

private:
    struct Submission;
    struct Client {
        int id = 0;
        bool suspect = false;  // its last request timed out
        std::shared_ptr<Submission> pending;
    };

    static asio::awaitable<void> pump(std::shared_ptr<Bus> self);
    Client* find(int client);
    void finish(Submission& submission);
    void fail_all(const Error& error);

    asio::any_io_executor executor_;
    std::unique_ptr<Transport> transport_;
    std::vector<Client> clients_;
    int next_client_ = 1;
    std::size_t turn_ = 0;  // index in clients_ where the round robin looks first
    bool pumping_ = false;
    bool opening_ = false;
    std::optional<Error> open_error_;
    asio::steady_timer opened_;
};

// One per driver: devices naming the same serial port, or the same host:port, get the same bus.
class BusRegistry {
public:
    // The bus for `config`. nullptr when the device's serial settings differ from those of the
    // device that opened the port first; `conflict` then says how.
    std::shared_ptr<Bus> acquire(asio::any_io_executor executor, const std::string& device,
                                 const DeviceConfig& config, std::string& conflict);

private:
    struct Entry {
        std::weak_ptr<Bus> bus;
        std::string owner;
        std::optional<SerialConfig> serial;
    };
    std::map<std::string, Entry> entries_;
};

}  // namespace lintel::modbus
