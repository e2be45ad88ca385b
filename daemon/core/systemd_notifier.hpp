// systemd service protocol: READY=1, STATUS=, RELOADING=1, STOPPING=1 and the watchdog, pinged
// from the event loop itself so that a stuck loop is noticed and restarted.
#pragma once

#include <optional>
#include <string_view>

#include <chrono>
#include <string_view>

#include "lintel/asio.hpp"

namespace lintel::core {

class SystemdNotifier {
public:
    explicit SystemdNotifier(asio::any_io_executor executor);

    void ready(std::string_view status_line);
    void status(std::string_view status_line);
    void reloading();
    void stopping(std::string_view status_line);
    // Starts pinging WATCHDOG=1 at half of WATCHDOG_USEC when the unit has a watchdog.
    void start_watchdog();
    void stop_watchdog();
    bool watchdog_enabled() const { return watchdog_interval_.count() > 0; }

private:
    void arm();

    asio::steady_timer timer_;
    std::chrono::microseconds watchdog_interval_{0};
    bool running_ = false;
};

// A listening socket systemd passed under FileDescriptorName=`name` (socket activation), or
// nullopt when linteld was not started that way.
std::optional<int> listen_fd_named(std::string_view name);

}  // namespace lintel::core
