// Where a BACnet device is reached from the gateway: a B/IP address, and when the device sits
// behind a router, its network number and MAC there (DNET/DADR).
#pragma once

#include <optional>
#include <string>

#include "bvlc.hpp"
#include "npdu.hpp"

namespace lintel::bacnet {

struct Peer {
    IpEndpoint ip;                        // the device, or the router in front of it
    std::optional<NetworkAddress> route;  // set: the device is on another BACnet network
    bool operator==(const Peer&) const = default;
};

// "192.0.2.10:47808", or "192.0.2.1:47808 via network 5, MAC 0x0a" for a routed device.
std::string to_string(const Peer& peer);

}  // namespace lintel::bacnet
