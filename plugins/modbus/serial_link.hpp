// One serial line for Modbus RTU: open with the line settings, send a request after the
// inter-frame silence (dropping stray input first), receive the answer framed by rtu_frame.
// Only this file and serial_link.cpp touch the serial port.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "config.hpp"
#include "deadline.hpp"
#include "frame.hpp"
#include "link.hpp"
#include "lintel/error.hpp"
#include "rtu_frame.hpp"

namespace lintel::modbus {

// Held by shared_ptr for the same reason as Link: a queued deadline handler holds a weak one.
class SerialLink : public std::enable_shared_from_this<SerialLink> {
public:
    SerialLink(asio::any_io_executor executor, SerialConfig config);
    SerialLink(const SerialLink&) = delete;
    SerialLink& operator=(const SerialLink&) = delete;

    // Opens the port and applies the line settings. Errors: modbus.serial.
    Expected<void> open();
    // Waits for the inter-frame silence (and `pause` since the last frame), discards bytes
    // nobody asked for, writes `adu`. Errors: modbus.timeout, modbus.io (the port is closed).
    asio::awaitable<Expected<void>> send(std::span<const std::uint8_t> adu,
                                         std::chrono::milliseconds pause,
                                         std::chrono::milliseconds timeout);
    // The answer to `request` sent to `unit_id`, within `timeout` of the request leaving the
    // wire. Errors: modbus.timeout, modbus.crc, modbus.malformed (the line stays usable),
    // modbus.io / modbus.closed (the port is closed).
    asio::awaitable<Expected<std::vector<std::uint8_t>>> receive(std::uint8_t unit_id,
                                                                 const Request& request,
                                                                 std::chrono::milliseconds timeout);

    void close();
    bool is_open() const { return port_.is_open(); }
    // Bytes that arrived while nobody was waiting for an answer (late or unsolicited).
    std::uint64_t stray_bytes() const { return stray_bytes_; }
    const SerialConfig& config() const { return config_; }

private:
    void arm(Clock::time_point deadline);
    bool disarm() { return deadline_.disarm(); }
    void discard_input();

    SerialConfig config_;
    CharFormat format_;
    asio::serial_port port_;
    Deadline deadline_;
    asio::steady_timer pace_;
    Clock::time_point line_quiet_since_{};  // when the last frame ended on the wire
    std::uint64_t stray_bytes_ = 0;
};

}  // namespace lintel::modbus
