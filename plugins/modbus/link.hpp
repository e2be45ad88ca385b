// One Modbus TCP connection: connect, send and frame-by-frame receive, each bounded by a deadline.
// Only this file and link.cpp touch the socket.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "deadline.hpp"
#include "lintel/error.hpp"

namespace lintel::modbus {

using Clock = std::chrono::steady_clock;

// Held by shared_ptr: the deadline timer's handler keeps only a weak reference, so a Link may
// be destroyed while a handler is still queued.
class Link : public std::enable_shared_from_this<Link> {
public:
    explicit Link(asio::any_io_executor executor);
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    // Resolves and connects. Errors: modbus.timeout, modbus.connect.
    asio::awaitable<Expected<void>> connect(std::string host, std::uint16_t port,
                                            Clock::duration timeout);
    // Writes a whole ADU. Errors: modbus.timeout, modbus.io (the link is then closed).
    asio::awaitable<Expected<void>> send(std::span<const std::uint8_t> adu,
                                         Clock::time_point deadline);
    // The next complete ADU from the stream. Errors: modbus.timeout (nothing complete arrived by
    // the deadline; the link stays usable), modbus.closed / modbus.io / modbus.malformed (the
    // link is broken and has been closed).
    asio::awaitable<Expected<std::vector<std::uint8_t>>> read_frame(Clock::time_point deadline);

    // Cancels every pending operation and closes the socket. Safe to call at any time.
    void close();
    bool is_open() const { return socket_.is_open(); }

private:
    void arm(Clock::time_point deadline);
    // True if the deadline fired for the operation just finished.
    bool disarm() { return deadline_.disarm(); }

    asio::ip::tcp::resolver resolver_;
    asio::ip::tcp::socket socket_;
    Deadline deadline_;
    std::vector<std::uint8_t> rx_;
};

}  // namespace lintel::modbus
