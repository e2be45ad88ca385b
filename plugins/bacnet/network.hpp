// The BACnet/IP network as seen from one local endpoint, shared by every device (and the
// discovery tool) using that endpoint: confirmed requests with invoke ids, timeouts and retries;
// the device address table fed by I-Am; Who-Is sent as a global broadcast (through the BBMD when
// registered as a foreign device); COV notifications routed to the subscriber by process id and
// acknowledged. Callback style; every completion is posted, never run inside the call.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apdu.hpp"
#include "config.hpp"
#include "cov.hpp"
#include "device_table.hpp"
#include "discovery.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "peer.hpp"

namespace lintel::bacnet {

class UdpPort;
class ForeignDevice;

// A device's answer to a confirmed request: SimpleACK, ComplexACK, Error, Reject or Abort (the
// service decoders turn the last three into readable errors).
struct Response {
    std::shared_ptr<const std::vector<std::uint8_t>> datagram;  // keeps apdu.data valid
    Apdu apdu;
    Peer from;
};

struct RequestTiming {
    std::chrono::milliseconds timeout{3000};
    int retries = 1;  // sent again, with the same invoke id, after each timeout
};

using ResponseHandler = std::function<void(Expected<Response>)>;
// Builds the whole APDU for an invoke id (the encoders take it as a parameter).
using ApduBuilder = std::function<Expected<std::vector<std::uint8_t>>(std::uint8_t invoke_id)>;
using TransactionId = std::uint64_t;
using ListenerId = std::uint64_t;

struct NetworkStats {
    std::uint64_t requests_sent = 0;  // first transmissions of confirmed requests
    std::uint64_t retries = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t notifications = 0;
    std::uint64_t malformed = 0;
};

class Network : public std::enable_shared_from_this<Network> {
public:
    using IAmListener = std::function<void(const IAm&, const Peer&)>;
    using CovListener = std::function<void(const CovNotification&, const Peer&)>;

    // Binds the local endpoint (and the broadcast listener when bound to one address), starts
    // foreign-device registration when a BBMD is configured. Errors: bacnet.bind.
    static Expected<std::shared_ptr<Network>> open(asio::any_io_executor executor,
                                                   const LinkConfig& link);
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    const LinkConfig& link() const { return link_; }
    const IpEndpoint& local() const;  // as bound (the real port when 0 was asked for)
    asio::any_io_executor executor() const { return executor_; }

    // ---- logging: through the first attached logger (a device's, tagged with it), else none ----
    void attach_logger(sdk::Logger& logger);
    void detach_logger(sdk::Logger& logger);
    sdk::Logger& log();

    // ---- confirmed requests ----
    // Sends the APDU `build` makes; `done` is posted exactly once with the answer,
    // bacnet.timeout after the retries, or the encoding/sending error. Unless cancelled.
    TransactionId request(const Peer& peer, const ApduBuilder& build, RequestTiming timing,
                          ResponseHandler done);
    // Forgets a request; its handler is not called.
    void cancel(TransactionId id);
    // Sends a confirmed request whose answer nobody waits for (a COV cancellation on stop).
    void send_and_forget(const Peer& peer, const ApduBuilder& build);

    // ---- discovery ----
    // Who-Is to everyone (global broadcast, through the BBMD when one is configured), or to one
    // peer (unicast). Broadcasts wait for the BBMD registration.
    void who_is(const WhoIs& who_is, const std::optional<Peer>& to = std::nullopt);
    // A broadcast Who-Is for one instance, merged with the others asked for in the same turn of
    // the loop: when many devices start at once, instances less than kWhoIsMergeGap apart share
    // one Who-Is range instead of one broadcast each.
    void find_device(std::uint32_t instance);
    static constexpr std::uint32_t kWhoIsMergeGap = 16;
    const DeviceTable& devices() const { return devices_; }
    void forget_device(std::uint32_t instance) { devices_.forget(instance); }
    ListenerId on_i_am(IAmListener listener);

    // ---- COV notifications, by subscriber process id ----
    bool add_cov_listener(std::uint32_t process_id, CovListener listener);
    void remove_cov_listener(std::uint32_t process_id);
    bool has_cov_listener(std::uint32_t process_id) const {
        return cov_listeners_.contains(process_id);
    }

    void remove_listener(ListenerId id);

    // Foreign-device registration state (false without a BBMD).
    bool registered_with_bbmd() const;
    const NetworkStats& stats() const { return stats_; }

    // Closes the sockets; outstanding requests are dropped without calling their handlers.
    void close();

    // Every datagram received (public for the tests that feed bytes in).
    void on_datagram(std::span<const std::uint8_t> bytes, const IpEndpoint& from);

private:
    struct Outstanding;
    explicit Network(asio::any_io_executor executor, LinkConfig link);

    Expected<void> send_npdu(BvlcFunction function, const NpduHeader& header,
                             std::span<const std::uint8_t> apdu, const IpEndpoint& to);
    Expected<void> send_apdu(const Peer& to, std::span<const std::uint8_t> apdu);
    void broadcast(std::span<const std::uint8_t> apdu);
    void flush_held_broadcasts();
    void flush_wanted_instances();
    void arm_timer(TransactionId id);
    void on_timeout(TransactionId id);
    void complete(TransactionId id, Expected<Response> result);
    void on_confirmed_request(const Apdu& apdu, const Peer& from);
    void deliver(const CovNotification& notification, const Peer& from);
    void on_unconfirmed_request(const Apdu& apdu, const Peer& from);
    void on_answer(std::span<const std::uint8_t> apdu_bytes, const Peer& from,
                   std::shared_ptr<const std::vector<std::uint8_t>> datagram,
                   std::size_t apdu_offset);
    void malformed(const std::string& what, const IpEndpoint& from);
    std::optional<std::uint8_t> free_invoke_id(const std::string& peer_key);

    asio::any_io_executor executor_;
    LinkConfig link_;
    std::shared_ptr<UdpPort> port_;
    std::shared_ptr<ForeignDevice> foreign_;
    std::vector<std::vector<std::uint8_t>> held_broadcasts_;  // APDUs waiting for the BBMD
    std::vector<sdk::Logger*> loggers_;
    std::vector<std::uint32_t> wanted_instances_;  // find_device() calls of this turn

    std::map<TransactionId, std::unique_ptr<Outstanding>> outstanding_;
    std::map<std::pair<std::string, std::uint8_t>, TransactionId> by_invoke_id_;
    std::map<std::string, std::uint8_t> next_invoke_id_;
    TransactionId next_transaction_ = 1;

    DeviceTable devices_;
    std::map<ListenerId, IAmListener> i_am_listeners_;
    std::map<std::uint32_t, CovListener> cov_listeners_;
    ListenerId next_listener_ = 1;
    NetworkStats stats_;
    std::chrono::steady_clock::time_point last_malformed_log_{};
};

}  // namespace lintel::bacnet
