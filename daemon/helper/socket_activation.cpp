// take_connection: sd_listen_fds plus checks that the fd is what the socket unit promises.
#include "helper/socket_activation.hpp"

#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cstring>
#include <string>

namespace lintel::helper {
namespace {

Expected<int> usage(std::string message) {
    return make_error("helper.usage",
                      std::move(message) +
                          "; lintel-helper is started per connection by lintel-helper.socket "
                          "(Accept=yes), or by hand with systemd-socket-activate --accept");
}

}  // namespace

Expected<int> take_connection() {
    const int n = sd_listen_fds(1);
    if (n < 0) return usage(std::string("LISTEN_FDS is invalid: ") + std::strerror(-n));
    if (n == 0) return usage("no connection was passed (LISTEN_FDS unset or for another process)");
    if (n > 1) return usage("expected one connection, got " + std::to_string(n) + " fds");
    const int fd = SD_LISTEN_FDS_START;
    if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) > 0) {
        return usage(
            "fd 3 is a listening socket, not a connection (the socket unit needs "
            "Accept=yes)");
    }
    if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 0) <= 0) {
        return usage("fd 3 is not a connected AF_UNIX stream socket");
    }
    return fd;
}

}  // namespace lintel::helper
