// Modbus RTU serial line with deadlines and inter-frame timing (see serial_link.hpp).
#include "serial_link.hpp"

#include <sys/ioctl.h>
#include <termios.h>

#include <algorithm>
#include <array>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace lintel::modbus {
namespace {

constexpr auto kUse = asio::use_awaitable;
// USB adapters and ptys deliver bytes in bursts: the line counts as quiet only after this long.
constexpr std::chrono::milliseconds kMinDrainQuiet{5};

CharFormat format_of(const SerialConfig& c) {
    return CharFormat{c.baud, c.data_bits, c.parity != Parity::none, c.stop_bits};
}

}  // namespace

SerialLink::SerialLink(asio::any_io_executor executor, SerialConfig config)
    : config_(std::move(config)),
      format_(format_of(config_)),
      port_(executor),
      deadline_(executor),
      pace_(executor) {}

Expected<void> SerialLink::open() {
    close();
    boost::system::error_code ec;
    static_cast<void>(port_.open(config_.port, ec));
    if (ec) {
        return make_error("modbus.serial", "cannot open " + config_.port + ": " + ec.message());
    }
    using base = asio::serial_port_base;
    const auto parity = config_.parity == Parity::none   ? base::parity::none
                        : config_.parity == Parity::even ? base::parity::even
                                                         : base::parity::odd;
    const auto stop = config_.stop_bits == 2 ? base::stop_bits::two : base::stop_bits::one;
    static_cast<void>(port_.set_option(base::baud_rate(config_.baud), ec));
    if (!ec) static_cast<void>(port_.set_option(base::character_size(config_.data_bits), ec));
    if (!ec) static_cast<void>(port_.set_option(base::parity(parity), ec));
    if (!ec) static_cast<void>(port_.set_option(base::stop_bits(stop), ec));
    if (!ec) static_cast<void>(port_.set_option(base::flow_control(base::flow_control::none), ec));
    if (ec) {
        close();
        return make_error("modbus.serial", "cannot set " + config_.describe() + " on " +
                                               config_.port + ": " + ec.message());
    }
    line_quiet_since_ = Clock::now();
    return {};
}

void SerialLink::arm(Clock::time_point deadline) {
    deadline_.arm(deadline, [weak = weak_from_this()] {
        auto self = weak.lock();
        if (self == nullptr) return;
        boost::system::error_code ignored;
        static_cast<void>(self->port_.cancel(ignored));
    });
}

void SerialLink::discard_input() {
    // What is already in the driver's buffer is a late answer or noise: it must not be taken
    // for the answer to the request about to go out.
    int pending = 0;
    if (::ioctl(port_.native_handle(), FIONREAD, &pending) == 0 && pending > 0) {
        stray_bytes_ += static_cast<std::uint64_t>(pending);
    }
    ::tcflush(port_.native_handle(), TCIFLUSH);
}

asio::awaitable<Expected<void>> SerialLink::send(std::span<const std::uint8_t> adu,
                                                 std::chrono::milliseconds pause,
                                                 std::chrono::milliseconds timeout) {
    if (!port_.is_open()) co_return make_error("modbus.closed", "serial port is not open");
    const auto gap = std::max<Clock::duration>(inter_frame_silence(format_), pause);
    if (Clock::now() < line_quiet_since_ + gap) {
        pace_.expires_at(line_quiet_since_ + gap);
        boost::system::error_code ignored;
        co_await pace_.async_wait(asio::redirect_error(kUse, ignored));
        if (!port_.is_open()) co_return make_error("modbus.closed", "serial port is not open");
    }
    discard_input();
    boost::system::error_code ec;
    arm(Clock::now() + timeout);
    co_await asio::async_write(port_, asio::buffer(adu.data(), adu.size()),
                               asio::redirect_error(kUse, ec));
    const bool fired = disarm();
    if (ec) {
        close();
        co_return make_error(fired ? "modbus.timeout" : "modbus.io",
                             fired ? "writing to " + config_.port + " timed out"
                                   : "write to " + config_.port + " failed: " + ec.message());
    }
    // The kernel took the bytes; they leave the wire one character time after another.
    line_quiet_since_ = Clock::now() + transmit_time(format_, adu.size());
    co_return Expected<void>{};
}

asio::awaitable<Expected<std::vector<std::uint8_t>>> SerialLink::receive(
    std::uint8_t unit_id, const Request& request, std::chrono::milliseconds timeout) {
    const auto deadline = std::max(line_quiet_since_, Clock::now()) + timeout;
    std::vector<std::uint8_t> rx;
    std::array<std::uint8_t, kMaxRtuAduSize> chunk{};
    std::optional<Error> garbled;  // set once the answer is known to be bad: drain until quiet
    const auto quiet = std::max<Clock::duration>(kMinDrainQuiet, inter_frame_silence(format_) * 2);
    for (;;) {
        if (!port_.is_open()) co_return make_error("modbus.closed", "serial port is not open");
        const auto now = Clock::now();
        const auto until = garbled ? std::min(deadline, now + quiet) : deadline;
        if (now >= until) break;
        boost::system::error_code ec;
        arm(until);
        const std::size_t got =
            co_await port_.async_read_some(asio::buffer(chunk), asio::redirect_error(kUse, ec));
        const bool fired = disarm();
        if (ec) {
            if (fired && ec == asio::error::operation_aborted) break;
            close();
            co_return make_error("modbus.io",
                                 "read from " + config_.port + " failed: " + ec.message());
        }
        line_quiet_since_ = Clock::now();
        if (garbled) continue;
        rx.insert(rx.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got));
        const RtuScan scan = scan_rtu_response(unit_id, request, rx);
        switch (scan.status) {
            case RtuScan::Status::need_more:
                continue;
            case RtuScan::Status::complete:
                rx.resize(scan.size);  // anything behind it is dropped before the next request
                co_return rx;
            case RtuScan::Status::bad_crc:
                garbled = Error{"modbus.crc", "answer with a bad checksum (" + scan.problem + ")"};
                continue;
            case RtuScan::Status::malformed:
                garbled = Error{"modbus.malformed", scan.problem};
                continue;
        }
    }
    if (garbled) co_return std::unexpected(*garbled);
    if (!rx.empty()) {
        co_return make_error("modbus.malformed",
                             "answer cut short after " + std::to_string(rx.size()) + " bytes");
    }
    co_return make_error("modbus.timeout", "no response in time");
}

void SerialLink::close() {
    deadline_.cancel();
    pace_.cancel();
    boost::system::error_code ignored;
    static_cast<void>(port_.close(ignored));
}

}  // namespace lintel::modbus
