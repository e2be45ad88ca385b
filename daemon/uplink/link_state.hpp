// The uplink session's lifecycle as an explicit transition table (states x events).
#pragma once

#include <optional>
#include <string_view>

namespace lintel::uplink {

enum class LinkState {
    disconnected,  // constructed, start() not called yet
    connecting,    // TCP + TLS + CONNECT under way, bounded by connect_timeout
    connected,     // CONNACK accepted: telemetry and status flow
    backoff,       // waiting a jittered delay before the next attempt
    stopping,      // clean shutdown: offline status, PUBACK, DISCONNECT
    stopped,       // terminal
};

enum class LinkEvent {
    start,            // start() called
    connected,        // CONNACK with success
    connect_failed,   // refused, TLS failure, socket error or connect_timeout before CONNACK
    connection_lost,  // an established connection ended
    retry,            // the backoff delay elapsed
    stop,             // async_stop() called
    stop_done,        // offline status acknowledged and DISCONNECT sent, or the deadline passed
};

// The table. nullopt: the event means nothing in that state (e.g. a late timer) and is ignored.
std::optional<LinkState> next_state(LinkState state, LinkEvent event);

std::string_view to_string(LinkState state);
std::string_view to_string(LinkEvent event);

}  // namespace lintel::uplink
