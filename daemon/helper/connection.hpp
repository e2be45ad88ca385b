// Serves the one request on one connected socket: who asks, what, the answer, one log line.
#pragma once

#include <chrono>

#include "helper/actions.hpp"
#include "helper/peer_check.hpp"

namespace lintel::helper {

struct ConnectionSettings {
    std::chrono::milliseconds read_timeout{5000};
    std::chrono::milliseconds write_timeout{5000};
};

// Reads one request, refuses it unless the peer is allowed, runs it through `actions`, writes
// one response line (always, while the peer listens) and logs one line with peer uid/pid,
// action and outcome. Returns false only when the helper itself failed (the peer could not be
// identified); a refused or bad request, or a peer gone before the answer, is a normal outcome.
bool serve_connection(int fd, const PeerPolicy& policy, const ActionTable& actions,
                      const ActionContext& context, const ConnectionSettings& settings);

}  // namespace lintel::helper
