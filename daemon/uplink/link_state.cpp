// The uplink session's transition table.
#include "uplink/link_state.hpp"

#include <array>

namespace lintel::uplink {
namespace {

struct Transition {
    LinkState from;
    LinkEvent event;
    LinkState to;
};

using S = LinkState;
using E = LinkEvent;

// Every legal transition; anything else is ignored. Stop never waits on the network unless we
// are connected (there is nobody to tell that we leave).
constexpr std::array kTable{
    Transition{S::disconnected, E::start, S::connecting},
    Transition{S::disconnected, E::stop, S::stopped},
    Transition{S::connecting, E::connected, S::connected},
    Transition{S::connecting, E::connect_failed, S::backoff},
    Transition{S::connecting, E::connection_lost, S::backoff},
    Transition{S::connecting, E::stop, S::stopped},
    Transition{S::connected, E::connection_lost, S::backoff},
    Transition{S::connected, E::stop, S::stopping},
    Transition{S::backoff, E::retry, S::connecting},
    Transition{S::backoff, E::stop, S::stopped},
    Transition{S::stopping, E::stop_done, S::stopped},
    Transition{S::stopping, E::connection_lost, S::stopped},
};

}  // namespace

std::optional<LinkState> next_state(LinkState state, LinkEvent event) {
    for (const auto& t : kTable) {
        if (t.from == state && t.event == event) return t.to;
    }
    return std::nullopt;
}

std::string_view to_string(LinkState state) {
    switch (state) {
        case S::disconnected:
            return "disconnected";
        case S::connecting:
            return "connecting";
        case S::connected:
            return "connected";
        case S::backoff:
            return "backoff";
        case S::stopping:
            return "stopping";
        case S::stopped:
            return "stopped";
    }
    return "?";
}

std::string_view to_string(LinkEvent event) {
    switch (event) {
        case E::start:
            return "start";
        case E::connected:
            return "connected";
        case E::connect_failed:
            return "connect_failed";
        case E::connection_lost:
            return "connection_lost";
        case E::retry:
            return "retry";
        case E::stop:
            return "stop";
        case E::stop_done:
            return "stop_done";
    }
    return "?";
}

}  // namespace lintel::uplink
