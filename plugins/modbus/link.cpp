// Modbus TCP connection with deadlines (see link.hpp).
#include "link.hpp"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "frame.hpp"

namespace lintel::modbus {
namespace {

constexpr auto kUse = asio::use_awaitable;

std::string describe(const boost::system::error_code& ec) { return ec.message(); }

}  // namespace

Link::Link(asio::any_io_executor executor)
    : resolver_(executor), socket_(executor), deadline_(executor) {}

void Link::arm(Clock::time_point deadline) {
    deadline_.arm(deadline, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (self == nullptr) return;
        self->resolver_.cancel();
        boost::system::error_code ignored;
        static_cast<void>(self->socket_.cancel(ignored));
    });
}

asio::awaitable<Expected<void>> Link::connect(std::string host, std::uint16_t port,
                                              Clock::duration timeout) {
    close();
    const auto deadline = Clock::now() + timeout;
    boost::system::error_code ec;
    arm(deadline);
    auto endpoints = co_await resolver_.async_resolve(host, std::to_string(port),
                                                      asio::redirect_error(kUse, ec));
    if (ec) {
        const bool fired = disarm();
        co_return make_error(fired ? "modbus.timeout" : "modbus.connect",
                             fired ? "resolving " + host + " timed out"
                                   : "cannot resolve " + host + ": " + describe(ec));
    }
    co_await asio::async_connect(socket_, endpoints, asio::redirect_error(kUse, ec));
    const bool fired = disarm();
    if (ec) {
        close();
        if (fired) co_return make_error("modbus.timeout", "connect timed out");
        co_return make_error("modbus.connect", describe(ec));
    }
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);  // small request frames: no Nagle
    co_return Expected<void>{};
}

asio::awaitable<Expected<void>> Link::send(std::span<const std::uint8_t> adu,
                                           Clock::time_point deadline) {
    if (!socket_.is_open()) co_return make_error("modbus.closed", "not connected");
    boost::system::error_code ec;
    arm(deadline);
    co_await asio::async_write(socket_, asio::buffer(adu.data(), adu.size()),
                               asio::redirect_error(kUse, ec));
    const bool fired = disarm();
    if (ec) {
        close();  // a partly written frame leaves the stream unusable
        co_return make_error(
            fired ? "modbus.timeout" : "modbus.io",
            fired ? "sending a request timed out" : "send failed: " + describe(ec));
    }
    co_return Expected<void>{};
}

asio::awaitable<Expected<std::vector<std::uint8_t>>> Link::read_frame(Clock::time_point deadline) {
    std::array<std::uint8_t, 512> chunk{};
    for (;;) {
        auto size = complete_frame_size(rx_);
        if (!size) {
            close();
            co_return std::unexpected(size.error());
        }
        if (size->has_value()) {
            const auto n = static_cast<std::ptrdiff_t>(**size);
            std::vector<std::uint8_t> frame(rx_.begin(), rx_.begin() + n);
            rx_.erase(rx_.begin(), rx_.begin() + n);
            co_return frame;
        }
        if (!socket_.is_open()) co_return make_error("modbus.closed", "not connected");
        if (Clock::now() >= deadline) co_return make_error("modbus.timeout", "no response in time");
        boost::system::error_code ec;
        arm(deadline);
        const std::size_t got =
            co_await socket_.async_read_some(asio::buffer(chunk), asio::redirect_error(kUse, ec));
        const bool fired = disarm();
        if (ec) {
            // Cancelled by our deadline: no bytes are lost (they stay in the kernel), so the
            // stream is still in sync and the caller may keep using the link.
            if (fired && ec == asio::error::operation_aborted) {
                co_return make_error("modbus.timeout", "no response in time");
            }
            close();
            if (ec == asio::error::eof) {
                co_return make_error("modbus.closed", "the device closed the connection");
            }
            co_return make_error("modbus.io", "receive failed: " + describe(ec));
        }
        rx_.insert(rx_.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
    }
}

void Link::close() {
    deadline_.cancel();
    resolver_.cancel();
    boost::system::error_code ignored;
    static_cast<void>(socket_.close(ignored));
    rx_.clear();
}

}  // namespace lintel::modbus
