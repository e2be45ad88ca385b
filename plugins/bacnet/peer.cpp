// Text form of a Peer (see peer.hpp).
#include "peer.hpp"

namespace lintel::bacnet {

std::string to_string(const Peer& peer) {
    std::string s = to_string(peer.ip);
    if (peer.route) s += " via " + to_string(*peer.route);
    return s;
}

}  // namespace lintel::bacnet
