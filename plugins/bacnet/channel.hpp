// One device's way to the network: its requests queue behind at most max_concurrent_requests
// outstanding ones (writes go to the front), so a silent device only ever holds its own slots
// and never delays another device. Callback and coroutine forms; close() ends everything.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "cov.hpp"
#include "network.hpp"
#include "read_property.hpp"
#include "write_property.hpp"

namespace lintel::bacnet {

class Channel : public std::enable_shared_from_this<Channel> {
public:
    Channel(std::shared_ptr<Network> network, RequestTiming timing, int max_concurrent);
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    // Where requests go; unset: requests fail with bacnet.not_connected.
    void set_peer(std::optional<Peer> peer) { peer_ = std::move(peer); }
    const std::optional<Peer>& peer() const { return peer_; }
    Network& network() { return *network_; }
    const RequestTiming& timing() const { return timing_; }

    // `done` is posted exactly once: the answer, the network's error (bacnet.timeout, ...),
    // bacnet.not_connected when no peer is set at sending time, bacnet.stopped after close().
    void submit(ApduBuilder build, ResponseHandler done, bool urgent = false);
    asio::awaitable<Expected<Response>> call(ApduBuilder build, bool urgent = false);
    // All at once (still within the concurrency limit); results in the order of `builds`.
    asio::awaitable<std::vector<Expected<Response>>> call_all(std::vector<ApduBuilder> builds);

    // Fails everything queued or outstanding with bacnet.stopped; later submits too.
    void close();
    bool closed() const { return closed_; }
    std::uint64_t sent() const { return sent_; }

private:
    struct Queued {
        ApduBuilder build;
        ResponseHandler done;
    };
    struct InFlight {
        TransactionId transaction = 0;
        ResponseHandler done;
    };
    void pump();
    void finished(std::uint64_t key, Expected<Response> result);

    std::shared_ptr<Network> network_;
    RequestTiming timing_;
    std::size_t max_concurrent_;
    std::optional<Peer> peer_;
    std::deque<Queued> queue_;
    std::map<std::uint64_t, InFlight> in_flight_;
    std::uint64_t next_key_ = 1;
    std::uint64_t sent_ = 0;
    bool closed_ = false;
};

// APDU builders for the services the driver uses.
ApduBuilder read_property(ReadPropertyRequest request);
ApduBuilder read_property_multiple(std::vector<ReadAccessSpec> specs);
ApduBuilder write_property(WritePropertyRequest request);
ApduBuilder subscribe_cov(SubscribeCovRequest request);

}  // namespace lintel::bacnet
