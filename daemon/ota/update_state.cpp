// The OTA transition table (update_state.hpp). Every allowed move is one row; anything not
// listed is refused, so a new event cannot slip through a state by accident.
#include "ota/update_state.hpp"

#include <array>

namespace lintel::ota {
namespace {

using S = UpdateState;
using E = UpdateEvent;

struct Row {
    S from;
    E event;
    S to;
};

// A new update may start from any settled state (the previous outcome has been reported).
constexpr std::array kTable{
    Row{S::idle, E::start, S::downloading},
    Row{S::committed, E::start, S::downloading},
    Row{S::rolled_back, E::start, S::downloading},
    Row{S::failed, E::start, S::downloading},

    Row{S::downloading, E::downloaded, S::verifying},
    Row{S::downloading, E::download_failed, S::failed},
    Row{S::downloading, E::abort, S::failed},

    Row{S::verifying, E::verified, S::installing},
    Row{S::verifying, E::verify_failed, S::failed},
    Row{S::verifying, E::abort, S::failed},

    Row{S::installing, E::installed, S::awaiting_health},
    Row{S::installing, E::installed_needs_reboot, S::rebooting},
    // A failed install may have changed something (a half-configured package): roll back.
    Row{S::installing, E::install_failed, S::rolling_back},

    Row{S::rebooting, E::booted, S::awaiting_health},
    // The reboot did not come (the handler's request was refused, or the box never went down
    // within the health deadline): the new slot is not running, so roll back.
    Row{S::rebooting, E::unhealthy, S::rolling_back},

    Row{S::awaiting_health, E::healthy, S::committed},
    Row{S::awaiting_health, E::unhealthy, S::rolling_back},
    Row{S::awaiting_health, E::abort, S::rolling_back},

    Row{S::rolling_back, E::rollback_done, S::rolled_back},
    Row{S::rolling_back, E::rollback_failed, S::failed},
};

constexpr std::array kStateNames{
    std::pair{S::idle, std::string_view("idle")},
    std::pair{S::downloading, std::string_view("downloading")},
    std::pair{S::verifying, std::string_view("verifying")},
    std::pair{S::installing, std::string_view("installing")},
    std::pair{S::rebooting, std::string_view("rebooting")},
    std::pair{S::awaiting_health, std::string_view("awaiting_health")},
    std::pair{S::rolling_back, std::string_view("rolling_back")},
    std::pair{S::committed, std::string_view("committed")},
    std::pair{S::rolled_back, std::string_view("rolled_back")},
    std::pair{S::failed, std::string_view("failed")},
};

}  // namespace

std::string_view to_string(UpdateState state) {
    for (const auto& [s, name] : kStateNames) {
        if (s == state) return name;
    }
    return "unknown";
}

std::optional<UpdateState> parse_update_state(std::string_view text) {
    for (const auto& [s, name] : kStateNames) {
        if (name == text) return s;
    }
    return std::nullopt;
}

std::string_view to_string(UpdateEvent event) {
    switch (event) {
        case E::start:
            return "start";
        case E::downloaded:
            return "downloaded";
        case E::download_failed:
            return "download_failed";
        case E::verified:
            return "verified";
        case E::verify_failed:
            return "verify_failed";
        case E::installed:
            return "installed";
        case E::installed_needs_reboot:
            return "installed_needs_reboot";
        case E::install_failed:
            return "install_failed";
        case E::booted:
            return "booted";
        case E::healthy:
            return "healthy";
        case E::unhealthy:
            return "unhealthy";
        case E::rollback_done:
            return "rollback_done";
        case E::rollback_failed:
            return "rollback_failed";
        case E::abort:
            return "abort";
    }
    return "unknown";
}

std::optional<UpdateState> transition(UpdateState state, UpdateEvent event) {
    for (const Row& row : kTable) {
        if (row.from == state && row.event == event) return row.to;
    }
    return std::nullopt;
}

bool is_settled(UpdateState state) {
    return state == S::idle || state == S::committed || state == S::rolled_back ||
           state == S::failed;
}

Recovery recovery_for(UpdateState state) {
    switch (state) {
        case S::downloading:
            return Recovery::resume_download;
        case S::verifying:
            return Recovery::verify_again;
        case S::installing:
            return Recovery::probe_install;
        case S::rebooting:
            return Recovery::boot_completed;
        case S::awaiting_health:
            return Recovery::await_health;
        case S::rolling_back:
            return Recovery::redo_rollback;
        case S::idle:
        case S::committed:
        case S::rolled_back:
        case S::failed:
            return Recovery::none;
    }
    return Recovery::none;
}

std::string_view to_string(Recovery recovery) {
    switch (recovery) {
        case Recovery::none:
            return "none";
        case Recovery::resume_download:
            return "resume_download";
        case Recovery::verify_again:
            return "verify_again";
        case Recovery::probe_install:
            return "probe_install";
        case Recovery::boot_completed:
            return "boot_completed";
        case Recovery::await_health:
            return "await_health";
        case Recovery::redo_rollback:
            return "redo_rollback";
    }
    return "unknown";
}

bool abortable(UpdateState state) { return transition(state, E::abort).has_value(); }

}  // namespace lintel::ota
