// Integration tests of the network layer over real UDP with a hand-driven peer built on the
// protocol library: a router in front of a remote network (DNET/DADR out, SNET/SADR back),
// invoke-id matching, retries and timeouts, acknowledged notifications, segmented answers
// refused, malformed datagrams dropped.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <gtest/gtest.h>

#include <boost/asio/ip/udp.hpp>

#include "cov.hpp"
#include "datagram.hpp"
#include "discovery.hpp"
#include "network.hpp"
#include "read_property.hpp"
#include "support/asio_run.hpp"
#include "support/wait.hpp"

namespace lintel::bacnet::test {
namespace {

using namespace std::chrono_literals;
using asio::ip::udp;

IpEndpoint ip(const char* address, std::uint16_t port) {
    IpEndpoint e;
    e.address = asio::ip::make_address_v4(address).to_bytes();
    e.port = port;
    return e;
}

const NetworkAddress kRemote{5, {0x0a}};  // MS/TP MAC 10 on network 5

// A peer on 127.0.0.6 that the test drives by hand: receives what the gateway sends and answers.
class Peer6 {
public:
    // On 127.0.0.6 by default; bound to a broadcast address (with SO_REUSEADDR, as the gateway's
    // own listener) it hears broadcasts.
    explicit Peer6(asio::io_context& io, const char* address = "127.0.0.6", std::uint16_t port = 0)
        : socket_(io) {
        socket_.open(udp::v4());
        socket_.set_option(udp::socket::reuse_address(true));
        socket_.bind(udp::endpoint(asio::ip::make_address(address), port));
    }
    IpEndpoint address() const {
        const auto e = socket_.local_endpoint();
        return ip(e.address().to_string().c_str(), e.port());
    }

    // The next datagram, within the loop's slices; nullopt after `timeout`.
    std::optional<std::vector<std::uint8_t>> receive(asio::io_context& io,
                                                     std::chrono::milliseconds timeout = 3s) {
        std::vector<std::uint8_t> buffer(2048);
        std::optional<std::vector<std::uint8_t>> got;
        lintel::test::run_until(
            io,
            [&] {
                boost::system::error_code ec;
                if (socket_.available(ec) == 0) return false;
                const std::size_t n = socket_.receive_from(asio::buffer(buffer), from_, 0, ec);
                if (!ec)
                    got = std::vector<std::uint8_t>(
                        buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
                return true;
            },
            timeout);
        return got;
    }
    void send(const std::vector<std::uint8_t>& datagram) {
        socket_.send_to(asio::buffer(datagram), from_);
    }
    void send_to(const std::vector<std::uint8_t>& datagram, const IpEndpoint& to) {
        socket_.send_to(asio::buffer(datagram),
                        udp::endpoint(asio::ip::address_v4(to.address), to.port));
    }

private:
    udp::socket socket_;
    udp::endpoint from_;
};

class BacnetNetworkTest : public ::testing::Test {
protected:
    void SetUp() override {
        LinkConfig link;
        link.local = ip("127.0.0.3", lintel::test::free_udp_port("127.0.0.3"));
        link.broadcast = ip("127.255.255.255", lintel::test::free_udp_port("127.0.0.3"));
        auto net = Network::open(io_.get_executor(), link);
        ASSERT_TRUE(net) << net.error().message;
        net_ = *net;
    }

    asio::io_context io_;
    lintel::test::TestWatchdog dog_{30s, [this] { io_.stop(); }};
    std::shared_ptr<Network> net_;
    Peer6 router_{io_};
};

TEST_F(BacnetNetworkTest, ReachesADeviceBehindARouter) {
    const Peer device{router_.address(), kRemote};
    std::optional<Expected<Response>> answer;
    net_->request(
        device,
        [](std::uint8_t id) {
            return encode_read_property(id, {{ObjectType::analog_input, 1}, {}});
        },
        RequestTiming{1s, 0}, [&](Expected<Response> r) { answer = std::move(r); });

    auto request = router_.receive(io_);
    ASSERT_TRUE(request);
    auto d = decode_datagram(*request);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->bvlc.function, BvlcFunction::original_unicast_npdu);
    EXPECT_EQ(d->npdu->header.destination, kRemote);  // DNET/DADR for the router
    EXPECT_TRUE(d->npdu->header.expecting_reply);
    ASSERT_TRUE(d->apdu);
    auto rp = decode_read_property_request(*d->apdu);
    ASSERT_TRUE(rp);

    // The router relays the answer with the station's network and MAC as source.
    auto ack = encode_read_property_ack(d->apdu->invoke_id, {rp->object, rp->ref, {21.5F}});
    ASSERT_TRUE(ack);
    NpduHeader from_station;
    from_station.source = kRemote;
    router_.send(*encode_datagram(BvlcFunction::original_unicast_npdu, from_station, *ack));
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return answer.has_value(); }, 3s));
    ASSERT_TRUE(*answer) << answer->error().message;
    EXPECT_EQ((*answer)->from, device);
    auto values = decode_read_property_ack((*answer)->apdu);
    ASSERT_TRUE(values);
    EXPECT_EQ(values->values, Values{21.5F});
}

TEST_F(BacnetNetworkTest, AnAnswerFromElsewhereDoesNotMatchAndTheRequestIsRetried) {
    const Peer device{router_.address(), kRemote};
    std::optional<Expected<Response>> answer;
    net_->request(
        device,
        [](std::uint8_t id) {
            return encode_read_property(id, {{ObjectType::analog_input, 1}, {}});
        },
        RequestTiming{300ms, 1}, [&](Expected<Response> r) { answer = std::move(r); });
    auto first = router_.receive(io_);
    ASSERT_TRUE(first);
    auto d = decode_datagram(*first);
    ASSERT_TRUE(d && d->apdu);
    // Same invoke id, but not from the routed station (no SNET/SADR): not the answer.
    auto ack =
        encode_read_property_ack(d->apdu->invoke_id, {{ObjectType::analog_input, 1}, {}, {1.0F}});
    router_.send(*encode_datagram(BvlcFunction::original_unicast_npdu, {}, *ack));
    auto again = router_.receive(io_);  // the retry, byte for byte
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *first);
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return answer.has_value(); }, 3s));
    ASSERT_FALSE(*answer);
    EXPECT_EQ(answer->error().code, "bacnet.timeout");
    EXPECT_NE(answer->error().message.find("(2 attempts)"), std::string::npos);
    EXPECT_EQ(net_->stats().retries, 1U);
}

TEST_F(BacnetNetworkTest, LearnsRoutedDevicesFromIAmAndAcknowledgesTheirNotifications) {
    std::vector<std::pair<IAm, Peer>> heard;
    net_->on_i_am([&](const IAm& i_am, const Peer& from) { heard.emplace_back(i_am, from); });
    std::vector<CovNotification> notified;
    ASSERT_TRUE(net_->add_cov_listener(
        42, [&](const CovNotification& n, const Peer&) { notified.push_back(n); }));
    NpduHeader from_station;
    from_station.source = kRemote;
    auto i_am = encode_i_am(IAm{{ObjectType::device, 5010}, 480, Segmentation::none, 7});
    router_.send_to(*encode_datagram(BvlcFunction::original_unicast_npdu, from_station, *i_am),
                    net_->local());
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return !heard.empty(); }, 3s));
    const DeviceAddress* a = net_->devices().find(5010);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->peer, (Peer{router_.address(), kRemote}));
    EXPECT_EQ(a->max_apdu, 480U);

    CovNotification n{42,
                      {ObjectType::device, 5010},
                      {ObjectType::analog_input, 3},
                      60,
                      {PropertyValue{{PropertyId::present_value, std::nullopt}, {22.0F}, {}}}};
    router_.send_to(*encode_datagram(BvlcFunction::original_unicast_npdu, from_station,
                                     *encode_confirmed_cov_notification(77, n)),
                    net_->local());
    auto ack = router_.receive(io_);
    ASSERT_TRUE(ack);
    auto d = decode_datagram(*ack);
    ASSERT_TRUE(d && d->apdu);
    EXPECT_EQ(d->apdu->type, PduType::simple_ack);
    EXPECT_EQ(d->apdu->invoke_id, 77);
    EXPECT_EQ(d->npdu->header.destination, kRemote);  // back through the router
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return !notified.empty(); }, 3s));
    EXPECT_EQ(notified[0].monitored_object, (ObjectId{ObjectType::analog_input, 3}));
}

TEST_F(BacnetNetworkTest, SegmentedAnswersAreAbortedAndGarbageIsDropped) {
    const Peer device{router_.address(), std::nullopt};
    std::optional<Expected<Response>> answer;
    net_->request(
        device,
        [](std::uint8_t id) {
            return encode_read_property(id,
                                        {{ObjectType::device, 1}, {PropertyId::object_list, {}}});
        },
        RequestTiming{2s, 0}, [&](Expected<Response> r) { answer = std::move(r); });
    auto request = router_.receive(io_);
    ASSERT_TRUE(request);
    auto d = decode_datagram(*request);
    ASSERT_TRUE(d && d->apdu);
    // Garbage first: counted, not fatal.
    router_.send({0x81, 0x0a, 0x00, 0x03});
    router_.send({0x00, 0x01});
    // ComplexACK, segmented, more follows, sequence 0, window 1, service ReadProperty.
    const std::vector<std::uint8_t> segment{0x3c, d->apdu->invoke_id, 0, 1, 12, 0x0c};
    router_.send(*encode_datagram(BvlcFunction::original_unicast_npdu, {}, segment));
    auto abort = router_.receive(io_);
    ASSERT_TRUE(abort);
    auto a = decode_datagram(*abort);
    ASSERT_TRUE(a && a->apdu);
    EXPECT_EQ(a->apdu->type, PduType::abort);
    ASSERT_TRUE(lintel::test::run_until(
        io_, [&] { return answer.has_value(); }, 3s));
    ASSERT_FALSE(*answer);
    EXPECT_EQ(answer->error().code, "bacnet.abort.segmentation_not_supported");
    EXPECT_EQ(net_->stats().malformed, 2U);
}

TEST(BacnetNetwork, WhoIsForManyDevicesStartingTogetherIsMerged) {
    asio::io_context io;
    lintel::test::TestWatchdog dog(30s, [&] { io.stop(); });
    Peer6 listener(io, "127.255.255.255", lintel::test::free_udp_port("127.0.0.3"));
    LinkConfig link;
    link.local = ip("127.0.0.3", lintel::test::free_udp_port("127.0.0.3"));
    link.broadcast = listener.address();
    auto net = Network::open(io.get_executor(), link);
    ASSERT_TRUE(net) << net.error().message;
    for (std::uint32_t instance : {1010U, 1001U, 1005U, 5000U, 1005U})
        (*net)->find_device(instance);
    std::vector<WhoIs> sent;
    while (auto datagram = listener.receive(io, 500ms)) {
        auto d = decode_datagram(*datagram);
        ASSERT_TRUE(d && d->apdu);
        EXPECT_EQ(d->bvlc.function, BvlcFunction::original_broadcast_npdu);
        EXPECT_EQ(d->npdu->header.destination->network, kGlobalBroadcastNetwork);
        auto w = decode_who_is(*d->apdu);
        ASSERT_TRUE(w);
        sent.push_back(*w);
    }
    ASSERT_EQ(sent.size(), 2U);
    EXPECT_EQ(sent[0], (WhoIs{1001, 1010}));
    EXPECT_EQ(sent[1], (WhoIs{5000, 5000}));
}

}  // namespace
}  // namespace lintel::bacnet::test
