// The BACnet/IP network of one local endpoint (see network.hpp).
#include "network.hpp"

#include <algorithm>

#include "datagram.hpp"
#include "endpoint.hpp"
#include "error_text.hpp"
#include "foreign_device.hpp"
#include "udp_port.hpp"

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Broadcasts held while the BBMD registration is pending: a few Who-Is, not a backlog.
constexpr std::size_t kMaxHeldBroadcasts = 32;
// At most one "malformed datagram" line per this interval: a broken device must not flood logs.
constexpr auto kMalformedLogInterval = 60s;

class NullLogger final : public sdk::Logger {
public:
    void log(sdk::LogLevel, std::string_view, std::initializer_list<sdk::LogField>) override {}
    bool enabled(sdk::LogLevel) const override { return false; }
};

std::string ms_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

bool is_answer(PduType type) {
    return type == PduType::simple_ack || type == PduType::complex_ack ||
           type == PduType::segment_ack || type == PduType::error || type == PduType::reject ||
           type == PduType::abort;
}

}  // namespace

struct Network::Outstanding {
    Outstanding(asio::any_io_executor executor) : timer(std::move(executor)) {}
    std::string peer_key;
    std::uint8_t invoke_id = 0;
    Peer peer;
    std::vector<std::uint8_t> datagram;  // sent again as is on a retry
    RequestTiming timing;
    int attempts = 1;
    asio::steady_timer timer;
    ResponseHandler done;
};

Network::Network(asio::any_io_executor executor, LinkConfig link)
    : executor_(std::move(executor)), link_(std::move(link)) {}

Network::~Network() { close(); }

Expected<std::shared_ptr<Network>> Network::open(asio::any_io_executor executor,
                                                 const LinkConfig& link) {
    std::shared_ptr<Network> net(new Network(executor, link));
    std::weak_ptr<Network> weak = net;
    auto port = UdpPort::open(executor, link.local,
                              [weak](std::span<const std::uint8_t> bytes, const IpEndpoint& from) {
                                  if (auto self = weak.lock()) self->on_datagram(bytes, from);
                              });
    if (!port) return std::unexpected(port.error());
    net->port_ = *port;
    // A socket bound to 0.0.0.0 hears broadcasts to its port; one bound to an interface address
    // does not, so a second socket listens where broadcasts (I-Am after a restart) arrive.
    if (!is_any_address(link.local) || link.broadcast.port != link.local.port) {
        if (auto listening = net->port_->listen_broadcast(link.broadcast); !listening) {
            net->port_->close();
            return make_error("bacnet.bind", listening.error().message +
                                                 " (to hear broadcasts such as I-Am; use local "
                                                 "0.0.0.0:<port> or set broadcast to this "
                                                 "network's broadcast address)");
        }
    }
    if (link.bbmd) {
        net->foreign_ = std::make_shared<ForeignDevice>(
            executor, *link.bbmd,
            [weak](std::span<const std::uint8_t> bytes, const IpEndpoint& to) -> Expected<void> {
                auto self = weak.lock();
                if (self == nullptr) return make_error("bacnet.stopped", "network closed");
                return self->port_->send(bytes, to);
            },
            [weak]() -> sdk::Logger& {
                static NullLogger none;
                auto self = weak.lock();
                return self == nullptr ? static_cast<sdk::Logger&>(none) : self->log();
            },
            [weak] {
                if (auto self = weak.lock()) self->flush_held_broadcasts();
            });
        net->foreign_->start();
    }
    return net;
}

const IpEndpoint& Network::local() const { return port_->local(); }

void Network::close() {
    if (foreign_) foreign_->stop();
    if (port_) port_->close();
    outstanding_.clear();  // destroying the timers cancels them; their handlers find nothing
    by_invoke_id_.clear();
}

// ---- logging ----

void Network::attach_logger(sdk::Logger& logger) { loggers_.push_back(&logger); }

void Network::detach_logger(sdk::Logger& logger) { std::erase(loggers_, &logger); }

sdk::Logger& Network::log() {
    static NullLogger none;
    return loggers_.empty() ? static_cast<sdk::Logger&>(none) : *loggers_.front();
}

// ---- sending ----

Expected<void> Network::send_npdu(BvlcFunction function, const NpduHeader& header,
                                  std::span<const std::uint8_t> apdu, const IpEndpoint& to) {
    auto datagram = encode_datagram(function, header, apdu);
    if (!datagram) return std::unexpected(datagram.error());
    return port_->send(*datagram, to);
}

Expected<void> Network::send_apdu(const Peer& to, std::span<const std::uint8_t> apdu) {
    NpduHeader header;
    header.destination = to.route;
    return send_npdu(BvlcFunction::original_unicast_npdu, header, apdu, to.ip);
}

void Network::broadcast(std::span<const std::uint8_t> apdu) {
    // A global broadcast, so routers pass it on to the networks behind them (MS/TP trunks).
    NpduHeader header;
    header.destination = NetworkAddress{kGlobalBroadcastNetwork, {}};
    Expected<void> sent;
    if (foreign_) {
        if (!foreign_->registered()) {
            if (held_broadcasts_.size() < kMaxHeldBroadcasts) {
                held_broadcasts_.emplace_back(apdu.begin(), apdu.end());
            }
            return;
        }
        sent = send_npdu(BvlcFunction::distribute_broadcast_to_network, header, apdu,
                         foreign_->bbmd().address);
    } else {
        sent = send_npdu(BvlcFunction::original_broadcast_npdu, header, apdu, link_.broadcast);
    }
    if (!sent) log().warning("broadcast not sent: " + sent.error().message);
}

void Network::flush_held_broadcasts() {
    auto held = std::move(held_broadcasts_);
    held_broadcasts_.clear();
    for (const auto& apdu : held) broadcast(apdu);
}

void Network::who_is(const WhoIs& who_is, const std::optional<Peer>& to) {
    auto apdu = encode_who_is(who_is);
    if (!apdu) {
        log().error("cannot encode Who-Is: " + apdu.error().message);
        return;
    }
    if (!to) {
        broadcast(*apdu);
        return;
    }
    if (auto sent = send_apdu(*to, *apdu); !sent) {
        log().warning("Who-Is to " + to_string(*to) + " not sent: " + sent.error().message);
    }
}

void Network::find_device(std::uint32_t instance) {
    if (wanted_instances_.empty()) {
        asio::post(executor_, [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->flush_wanted_instances();
        });
    }
    wanted_instances_.push_back(instance);
}

void Network::flush_wanted_instances() {
    auto wanted = std::move(wanted_instances_);
    wanted_instances_.clear();
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    // Devices with instances in between answer too (one I-Am each): a small price next to one
    // broadcast per device, which every station on the network must read.
    for (std::size_t i = 0; i < wanted.size();) {
        std::size_t j = i;
        while (j + 1 < wanted.size() && wanted[j + 1] - wanted[j] <= kWhoIsMergeGap) ++j;
        who_is(WhoIs{wanted[i], wanted[j]});
        i = j + 1;
    }
}

bool Network::registered_with_bbmd() const { return foreign_ && foreign_->registered(); }

// ---- confirmed requests ----

std::optional<std::uint8_t> Network::free_invoke_id(const std::string& peer_key) {
    std::uint8_t& next = next_invoke_id_[peer_key];
    for (int tries = 0; tries < 256; ++tries) {
        const std::uint8_t id = next++;
        if (!by_invoke_id_.contains({peer_key, id})) return id;
    }
    return std::nullopt;
}

TransactionId Network::request(const Peer& peer, const ApduBuilder& build, RequestTiming timing,
                               ResponseHandler done) {
    const TransactionId id = next_transaction_++;
    auto fail = [&](Error e) {
        asio::post(executor_,
                   [done = std::move(done), e = std::move(e)] { done(std::unexpected(e)); });
        return id;
    };
    auto o = std::make_unique<Outstanding>(executor_);
    o->peer_key = to_string(peer);
    o->peer = peer;
    o->timing = timing;
    auto invoke_id = free_invoke_id(o->peer_key);
    if (!invoke_id) {
        return fail(Error{"bacnet.busy",
                          "256 requests to " + o->peer_key + " are already waiting for answers"});
    }
    o->invoke_id = *invoke_id;
    auto apdu = build(*invoke_id);
    if (!apdu) return fail(apdu.error());
    NpduHeader header;
    header.destination = peer.route;
    auto datagram = encode_datagram(BvlcFunction::original_unicast_npdu, header, *apdu);
    if (!datagram) return fail(datagram.error());
    o->datagram = std::move(*datagram);
    if (auto sent = port_->send(o->datagram, peer.ip); !sent) return fail(sent.error());
    ++stats_.requests_sent;
    o->done = std::move(done);
    by_invoke_id_[{o->peer_key, o->invoke_id}] = id;
    outstanding_.emplace(id, std::move(o));
    arm_timer(id);
    return id;
}

void Network::send_and_forget(const Peer& peer, const ApduBuilder& build) {
    auto invoke_id = free_invoke_id(to_string(peer));
    if (!invoke_id) return;
    auto apdu = build(*invoke_id);
    if (!apdu) return;
    static_cast<void>(send_apdu(peer, *apdu));
}

void Network::arm_timer(TransactionId id) {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    it->second->timer.expires_after(it->second->timing.timeout);
    it->second->timer.async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timeout(id);
    });
}

void Network::on_timeout(TransactionId id) {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    Outstanding& o = *it->second;
    if (o.attempts <= o.timing.retries) {
        ++o.attempts;
        ++stats_.retries;
        static_cast<void>(port_->send(o.datagram, o.peer.ip));
        arm_timer(id);
        return;
    }
    ++stats_.timeouts;
    const int attempts = o.attempts;
    complete(id, make_error("bacnet.timeout", "no answer from " + o.peer_key + " within " +
                                                  ms_text(o.timing.timeout) + " (" +
                                                  std::to_string(attempts) +
                                                  (attempts == 1 ? " attempt)" : " attempts)")));
}

void Network::complete(TransactionId id, Expected<Response> result) {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    std::unique_ptr<Outstanding> o = std::move(it->second);
    outstanding_.erase(it);
    by_invoke_id_.erase({o->peer_key, o->invoke_id});
    o->timer.cancel();
    asio::post(executor_, [done = std::move(o->done), result = std::move(result)]() mutable {
        done(std::move(result));
    });
}

void Network::cancel(TransactionId id) {
    auto it = outstanding_.find(id);
    if (it == outstanding_.end()) return;
    by_invoke_id_.erase({it->second->peer_key, it->second->invoke_id});
    outstanding_.erase(it);
}

// ---- receiving ----

void Network::malformed(const std::string& what, const IpEndpoint& from) {
    ++stats_.malformed;
    const auto now = Clock::now();
    if (now - last_malformed_log_ < kMalformedLogInterval) return;
    last_malformed_log_ = now;
    log().warning("dropped a datagram from " + to_string(from) +
                      " that is not valid BACnet/IP: " + what + " (logged at most once a minute)",
                  {{"PEER", to_string(from)}});
}

void Network::on_datagram(std::span<const std::uint8_t> bytes, const IpEndpoint& from) {
    if (port_ && from == port_->local()) return;  // our own broadcast, heard by the listener
    auto datagram = std::make_shared<const std::vector<std::uint8_t>>(bytes.begin(), bytes.end());
    auto bvlc = decode_bvlc(*datagram);
    if (!bvlc) {
        malformed(bvlc.error().message, from);
        return;
    }
    switch (bvlc->function) {
        case BvlcFunction::result:
            if (foreign_ && from == foreign_->bbmd().address)
                foreign_->on_result(bvlc->result_code);
            return;
        case BvlcFunction::original_unicast_npdu:
        case BvlcFunction::original_broadcast_npdu:
        case BvlcFunction::forwarded_npdu:
            break;
        default:
            return;  // BBMD table management and Secure-BVLL: not for a client
    }
    auto npdu = decode_npdu(bvlc->payload, bvlc->payload_offset);
    if (!npdu) {
        malformed(npdu.error().message, from);
        return;
    }
    if (npdu->is_network_message() || npdu->payload.empty()) return;  // routers' own traffic
    // A message for a station on another network is a router's business, not ours.
    if (npdu->header.destination && npdu->header.destination->network != kGlobalBroadcastNetwork) {
        return;
    }
    // Forwarded-NPDU (through a BBMD) names the real sender.
    const Peer peer{bvlc->original_source.value_or(from), npdu->header.source};
    const auto type = static_cast<PduType>(npdu->payload[0] >> 4);
    if (is_answer(type)) {
        on_answer(npdu->payload, peer, datagram, npdu->payload_offset);
        return;
    }
    auto apdu = decode_apdu(npdu->payload, npdu->payload_offset);
    if (!apdu) {
        malformed(apdu.error().message, peer.ip);
        return;
    }
    if (apdu->type == PduType::confirmed_request) {
        on_confirmed_request(*apdu, peer);
    } else if (apdu->type == PduType::unconfirmed_request) {
        on_unconfirmed_request(*apdu, peer);
    }
}

void Network::on_answer(std::span<const std::uint8_t> apdu_bytes, const Peer& from,
                        std::shared_ptr<const std::vector<std::uint8_t>> datagram,
                        std::size_t apdu_offset) {
    if (apdu_bytes.size() < 2) {
        malformed("an answer PDU of " + std::to_string(apdu_bytes.size()) + " byte(s)", from.ip);
        return;
    }
    const std::uint8_t invoke_id = apdu_bytes[1];
    auto found = by_invoke_id_.find({to_string(from), invoke_id});
    if (found == by_invoke_id_.end()) {
        // A late answer to a request that timed out, or to one sent before a reload: harmless.
        log().debug("answer from " + to_string(from) + " to no pending request (invoke id " +
                    std::to_string(invoke_id) + "), dropped");
        return;
    }
    const TransactionId id = found->second;
    const bool segmented = (apdu_bytes[0] >> 4) == static_cast<unsigned>(PduType::complex_ack) &&
                           (apdu_bytes[0] & 0x08) != 0;
    if (segmented) {
        // lintel asked for no segmentation; stop the device sending the other segments.
        static_cast<void>(send_apdu(
            from, encode_abort(invoke_id, abort_reason::segmentation_not_supported, false)));
        complete(id, make_error("bacnet.abort.segmentation_not_supported",
                                "the device answered with a segmented ComplexACK although lintel "
                                "accepts no segmentation; the answer did not fit one APDU"));
        return;
    }
    auto apdu = decode_apdu(apdu_bytes, apdu_offset);
    if (!apdu) {
        complete(id, std::unexpected(apdu.error()));
        return;
    }
    complete(id, Response{std::move(datagram), *apdu, from});
}

void Network::on_confirmed_request(const Apdu& apdu, const Peer& from) {
    if (apdu.service != static_cast<std::uint8_t>(ConfirmedService::confirmed_cov_notification)) {
        // A gateway is a client: it serves nothing but the notifications it subscribed to.
        static_cast<void>(
            send_apdu(from, encode_reject(apdu.invoke_id, reject_reason::unrecognized_service)));
        return;
    }
    auto notification = decode_cov_notification(apdu);
    if (!notification) {
        malformed(notification.error().message, from.ip);
        static_cast<void>(
            send_apdu(from, encode_reject(apdu.invoke_id, reject_reason::invalid_tag)));
        return;
    }
    // Acknowledged even without a listener (a subscription of a previous run lapsing): the
    // device would only send it again.
    static_cast<void>(send_apdu(
        from, encode_simple_ack(apdu.invoke_id, ConfirmedService::confirmed_cov_notification)));
    deliver(*notification, from);
}

void Network::deliver(const CovNotification& notification, const Peer& from) {
    ++stats_.notifications;
    auto it = cov_listeners_.find(notification.subscriber_process_id);
    if (it == cov_listeners_.end()) return;
    auto listener = it->second;  // it may remove itself
    listener(notification, from);
}

void Network::on_unconfirmed_request(const Apdu& apdu, const Peer& from) {
    if (apdu.service == static_cast<std::uint8_t>(UnconfirmedService::i_am)) {
        auto i_am = decode_i_am(apdu);
        if (!i_am) {
            malformed(i_am.error().message, from.ip);
            return;
        }
        devices_.update(*i_am, from, Clock::now());
        // Listeners may add or remove listeners: call a copy.
        auto listeners = i_am_listeners_;
        for (auto& [id, listener] : listeners) {
            if (i_am_listeners_.contains(id)) listener(*i_am, from);
        }
        return;
    }
    if (apdu.service ==
        static_cast<std::uint8_t>(UnconfirmedService::unconfirmed_cov_notification)) {
        auto notification = decode_cov_notification(apdu);
        if (!notification) {
            malformed(notification.error().message, from.ip);
            return;
        }
        deliver(*notification, from);
    }
}

// ---- listeners ----

ListenerId Network::on_i_am(IAmListener listener) {
    const ListenerId id = next_listener_++;
    i_am_listeners_.emplace(id, std::move(listener));
    return id;
}

void Network::remove_listener(ListenerId id) { i_am_listeners_.erase(id); }

bool Network::add_cov_listener(std::uint32_t process_id, CovListener listener) {
    return cov_listeners_.emplace(process_id, std::move(listener)).second;
}

void Network::remove_cov_listener(std::uint32_t process_id) { cov_listeners_.erase(process_id); }

}  // namespace lintel::bacnet
