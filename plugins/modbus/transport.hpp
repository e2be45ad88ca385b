// What carries a bus's requests: a Modbus TCP connection or a Modbus RTU serial line. Both run a
// batch of jobs for one unit with that unit's settings; the Bus above schedules between units.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "lintel/error.hpp"
#include "transactor.hpp"

namespace lintel::modbus {

class Transport {
public:
    virtual ~Transport() = default;
    // Connects or opens the port. Errors: modbus.connect, modbus.timeout, modbus.serial.
    virtual asio::awaitable<Expected<void>> open(std::chrono::milliseconds timeout) = 0;
    virtual bool is_open() const = 0;
    // Whether several requests may be in flight at once (TCP), or one at a time (serial line).
    virtual bool pipelines() const = 0;
    // Cancels everything in progress and closes.
    virtual void close() = 0;
    virtual asio::awaitable<BatchOutcome> run(std::vector<Job>& jobs,
                                              TransactorSettings settings) = 0;
    // "192.0.2.10:502" or "/dev/ttyUSB0", for logs.
    virtual std::string describe() const = 0;
};

std::unique_ptr<Transport> make_tcp_transport(asio::any_io_executor executor, std::string host,
                                              std::uint16_t port);
std::unique_ptr<Transport> make_rtu_transport(asio::any_io_executor executor, SerialConfig config);

}  // namespace lintel::modbus
