// libsystemd adapter for sd_notify and the watchdog.
#include "core/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>
#include <string>

namespace lintel::core {

namespace {
std::string one_line(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c == '\n') c = ' ';
    }
    return out;
}
}  // namespace

SystemdNotifier::SystemdNotifier(asio::any_io_executor executor) : timer_(executor) {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        watchdog_interval_ = std::chrono::microseconds(usec / 2);
    }
}

void SystemdNotifier::ready(std::string_view status_line) {
    const std::string msg = "READY=1\nSTATUS=" + one_line(status_line);
    sd_notify(0, msg.c_str());
}

void SystemdNotifier::status(std::string_view status_line) {
    const std::string msg = "STATUS=" + one_line(status_line);
    sd_notify(0, msg.c_str());
}

void SystemdNotifier::reloading() {
    // systemd >= 253 wants MONOTONIC_USEC with RELOADING=1; older ones ignore the extra field.
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
    const std::string msg = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec);
    sd_notify(0, msg.c_str());
}

void SystemdNotifier::stopping(std::string_view status_line) {
    const std::string msg = "STOPPING=1\nSTATUS=" + one_line(status_line);
    sd_notify(0, msg.c_str());
}

void SystemdNotifier::start_watchdog() {
    if (!watchdog_enabled() || running_) return;
    running_ = true;
    sd_notify(0, "WATCHDOG=1");
    arm();
}

void SystemdNotifier::stop_watchdog() {
    running_ = false;
    timer_.cancel();
}

void SystemdNotifier::arm() {
    timer_.expires_after(watchdog_interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !running_) return;
        sd_notify(0, "WATCHDOG=1");
        arm();
    });
}

std::optional<int> listen_fd_named(std::string_view name) {
    char** names = nullptr;
    const int n = sd_listen_fds_with_names(0, &names);
    std::optional<int> found;
    for (int i = 0; i < n; ++i) {
        if (!found && names != nullptr && name == names[i]) found = SD_LISTEN_FDS_START + i;
    }
    if (names != nullptr) {
        for (int i = 0; i < n; ++i) std::free(names[i]);
        std::free(names);
    }
    return found;
}

}  // namespace lintel::core
