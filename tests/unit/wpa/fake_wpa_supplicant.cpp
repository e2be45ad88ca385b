// FakeWpaSupplicant: a bound Unix datagram socket with a scripted answer per command.
#include "fake_wpa_supplicant.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

namespace lintel::wpa::test {

FakeWpaSupplicant::FakeWpaSupplicant(asio::io_context& io, std::filesystem::path path)
    : io_(io), path_(std::move(path)) {
    start();
}

FakeWpaSupplicant::~FakeWpaSupplicant() { crash(); }

void FakeWpaSupplicant::start() {
    crash();
    ::unlink(path_.c_str());
    socket_.emplace(io_, Endpoint(path_.string()));
    ++generation_;
    receive();
}

void FakeWpaSupplicant::crash() {
    if (!socket_) return;
    boost::system::error_code ignored;
    socket_->close(ignored);
    socket_.reset();
    ::unlink(path_.c_str());
    monitors_.clear();
}

void FakeWpaSupplicant::receive() {
    socket_->async_receive_from(
        asio::buffer(buffer_), sender_,
        [this, generation = generation_](const boost::system::error_code& ec, std::size_t n) {
            if (ec || generation != generation_) return;
            const std::string command(buffer_.data(), n);
            commands_.push_back(command);
            last_sender_ = sender_;
            auto reply = answer ? answer(command) : default_answer(command);
            if (reply && socket_) {
                boost::system::error_code send_ec;
                socket_->send_to(asio::buffer(*reply), sender_, 0, send_ec);
            }
            if (socket_ && generation == generation_) receive();
        });
}

std::optional<std::string> FakeWpaSupplicant::default_answer(const std::string& command) {
    if (command == "PING") return "PONG\n";
    if (command == "ATTACH") {
        monitors_.push_back(sender_);
        return "OK\n";
    }
    if (command == "DETACH") {
        auto it = std::find(monitors_.begin(), monitors_.end(), sender_);
        if (it == monitors_.end()) return "FAIL\n";
        monitors_.erase(it);
        return "OK\n";
    }
    if (command == "STATUS") return status_reply;
    if (command.starts_with("SET ") || command == "RECONFIGURE" || command == "LOGON" ||
        command == "LOGOFF" || command == "REASSOCIATE") {
        return "OK\n";
    }
    return "UNKNOWN COMMAND\n";
}

void FakeWpaSupplicant::send_event(const std::string& datagram) {
    if (!socket_) return;
    for (const auto& m : monitors_) {
        boost::system::error_code ec;
        socket_->send_to(asio::buffer(datagram), m, 0, ec);
    }
}

void FakeWpaSupplicant::send_to_last(const std::string& datagram) {
    if (!socket_) return;
    boost::system::error_code ec;
    socket_->send_to(asio::buffer(datagram), last_sender_, 0, ec);
}

std::size_t FakeWpaSupplicant::count(const std::string& command) const {
    return static_cast<std::size_t>(std::count(commands_.begin(), commands_.end(), command));
}

}  // namespace lintel::wpa::test
