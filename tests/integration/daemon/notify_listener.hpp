// Test peer for the systemd notify protocol: a Unix datagram socket passed to linteld as
// NOTIFY_SOCKET, collecting READY=1, STATUS=, WATCHDOG=1, STOPPING=1 messages.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
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
    }
    ~NotifyListener() {
        if (fd_ >= 0) ::close(fd_);
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    NotifyListener(const NotifyListener&) = delete;
    NotifyListener& operator=(const NotifyListener&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Every message received so far (each may hold several NAME=value lines).
    std::vector<std::string> messages() {
        drain();
        return messages_;
    }
    std::size_t count(const std::string& needle) {
        drain();
        std::size_t n = 0;
        for (const auto& m : messages_) n += m.find(needle) != std::string::npos ? 1U : 0U;
        return n;
    }
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
        return wait_until([&] { return count(needle) > 0; }, timeout);
    }
    // The value of the latest STATUS= line.
    std::string last_status() {
        drain();
        for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
            const auto pos = it->find("STATUS=");
            if (pos != std::string::npos) return it->substr(pos + 7, it->find('\n', pos) - pos - 7);
        }
        return {};
    }

private:
    void drain() {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return;
            messages_.emplace_back(buf, static_cast<std::size_t>(n));
        }
    }

    std::filesystem::path path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
};

}  // namespace lintel::test
