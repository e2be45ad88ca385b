// Test support: polling waits and TCP/UDP port helpers.
#include "support/wait.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

namespace lintel::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

}  // namespace

bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (predicate()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return predicate();
        std::this_thread::sleep_for(poll_interval);
    }
}

std::uint16_t free_tcp_port() {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("free_tcp_port: socket() failed");
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    // reinterpret_cast: the BSD socket API takes the generic sockaddr.
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        close(fd);
        throw std::runtime_error("free_tcp_port: bind/getsockname on 127.0.0.1:0 failed");
    }
    close(fd);
    return ntohs(a.sin_port);
}

std::uint16_t free_udp_port(const char* ip) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("free_udp_port: socket() failed");
    sockaddr_in a = loopback(0);
    a.sin_addr.s_addr = inet_addr(ip);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        close(fd);
        throw std::runtime_error(std::string("free_udp_port: bind/getsockname on ") + ip +
                                 ":0 failed");
    }
    close(fd);
    return ntohs(a.sin_port);
}

bool wait_for_tcp_port(std::uint16_t port, std::chrono::milliseconds timeout) {
    return wait_until(
        [port] {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) return false;
            sockaddr_in a = loopback(port);
            bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
            close(fd);
            return ok;
        },
        timeout, std::chrono::milliseconds(10));
}

}  // namespace lintel::test
