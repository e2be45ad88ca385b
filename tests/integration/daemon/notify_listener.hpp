// Test peer for the systemd notify protocol: a Unix datagram socket passed to linteld as
// NOTIFY_SOCKET, collecting READY=1, STATUS=, WATCHDOG=1, STOPPING=1 messages.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/wait.hpp"

namespace lintel::test {

class NotifyListener {
public:
    explicit NotifyListener(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (fd_ < 0 || path_.string().size() >= sizeof addr.sun_path)
            throw std::runtime_error("notify socket");
        std::strcpy(addr.sun_path, path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw std::runtime_error("bind notify socket: " + std::string(std::strerror(errno)));
        }
        // Read continuously, as systemd does: sd_notify() blocks the sender once the socket's
        // small datagram queue is full, so a listener that reads only when asked would stall
        // linteld's loop whenever a test looks elsewhere for a few seconds.
        reader_ = std::thread([this] { read_loop(); });
    }
    ~NotifyListener() {
        stop_ = true;
        if (reader_.joinable()) reader_.join();
        if (fd_ >= 0) ::close(fd_);
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Every message received so far (each may hold several NAME=value lines).
    std::vector<std::string> messages() {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    std::size_t count(const std::string& needle) {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (const auto& m : messages_) n += m.find(needle) != std::string::npos ? 1U : 0U;
        return n;
    }
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
        return wait_until([&] { return count(needle) > 0; }, timeout);
    }
    // The value of the latest STATUS= line.
    std::string last_status() {
        std::lock_guard lock(mutex_);
        for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
            const auto pos = it->find("STATUS=");
            if (pos != std::string::npos) return it->substr(pos + 7, it->find('\n', pos) - pos - 7);
        }
        return {};
    }

private:
    void read_loop() {
        char buf[4096];
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;  // wake up now and then to see stop_
            for (;;) {
                const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
                if (n <= 0) break;
                std::lock_guard lock(mutex_);
                messages_.emplace_back(buf, static_cast<std::size_t>(n));
            }
        }
    }

    std::filesystem::path path_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::string> messages_;
    std::thread reader_;
};

}  // namespace lintel::test
