// UDP sockets of one local endpoint (see udp_port.hpp).
#include "udp_port.hpp"

#include <array>

namespace lintel::bacnet {
namespace {

using asio::ip::udp;

// A B/IP frame is at most 1476 octets of APDU plus BVLC (10) and NPDU (up to ~20) headers;
// anything longer is not BACnet/IP and is cut off (then refused by the BVLC length check).
constexpr std::size_t kReceiveBuffer = 2048;

udp::endpoint to_asio(const IpEndpoint& e) {
    return udp::endpoint(asio::ip::address_v4(e.address), e.port);
}

IpEndpoint from_asio(const udp::endpoint& e) {
    IpEndpoint out;
    out.address = e.address().is_v4() ? e.address().to_v4().to_bytes()
                                      : std::array<std::uint8_t, 4>{0, 0, 0, 0};
    out.port = e.port();
    return out;
}

}  // namespace

struct UdpPort::Socket {
    explicit Socket(asio::any_io_executor executor) : socket(std::move(executor)) {}
    udp::socket socket;
    std::array<std::uint8_t, kReceiveBuffer> buffer{};
    udp::endpoint sender;
};

UdpPort::UdpPort(Receive receive) : receive_(std::move(receive)) {}

UdpPort::~UdpPort() { close(); }

Expected<std::shared_ptr<UdpPort::Socket>> UdpPort::bind(asio::any_io_executor executor,
                                                         const IpEndpoint& at) {
    auto s = std::make_shared<Socket>(std::move(executor));
    boost::system::error_code ec;
    static_cast<void>(s->socket.open(udp::v4(), ec));
    if (!ec) static_cast<void>(s->socket.set_option(udp::socket::reuse_address(true), ec));
    if (!ec) static_cast<void>(s->socket.set_option(asio::socket_base::broadcast(true), ec));
    if (!ec) static_cast<void>(s->socket.bind(to_asio(at), ec));
    if (!ec) static_cast<void>(s->socket.non_blocking(true, ec));
    if (ec) {
        return make_error(
            "bacnet.bind",
            "cannot bind UDP " + to_string(at) + ": " + ec.message() +
                (at.port < 1024 ? " (a port below 1024 needs CAP_NET_BIND_SERVICE)" : ""));
    }
    sockets_.push_back(s);
    receive_on(sockets_.size() - 1);
    return s;
}

Expected<std::shared_ptr<UdpPort>> UdpPort::open(asio::any_io_executor executor,
                                                 const IpEndpoint& local, Receive receive) {
    std::shared_ptr<UdpPort> port(new UdpPort(std::move(receive)));
    auto s = port->bind(std::move(executor), local);
    if (!s) return std::unexpected(s.error());
    boost::system::error_code ec;
    port->local_ = from_asio((*s)->socket.local_endpoint(ec));
    return port;
}

Expected<void> UdpPort::listen_broadcast(const IpEndpoint& broadcast) {
    if (sockets_.empty()) return make_error("bacnet.bind", "the local socket is closed");
    auto s = bind(sockets_.front()->socket.get_executor(), broadcast);
    if (!s) return std::unexpected(s.error());
    return {};
}

void UdpPort::receive_on(std::size_t index) {
    std::shared_ptr<Socket> s = sockets_[index];
    // The handler holds the Socket (its buffer must outlive the operation) and only a weak
    // reference to the port, so closing the port ends the loop.
    s->socket.async_receive_from(
        asio::buffer(s->buffer), s->sender,
        [weak = weak_from_this(), s, index](boost::system::error_code ec, std::size_t n) {
            auto self = weak.lock();
            if (self == nullptr || ec == asio::error::operation_aborted || !s->socket.is_open()) {
                return;
            }
            if (!ec && n > 0) {
                self->receive_(std::span<const std::uint8_t>(s->buffer.data(), n),
                               from_asio(s->sender));
            }
            // Errors on a UDP socket (an ICMP port-unreachable from an earlier send) are about
            // one datagram, not the socket: keep receiving. receive_ may have closed us.
            if (s->socket.is_open()) self->receive_on(index);
        });
}

Expected<void> UdpPort::send(std::span<const std::uint8_t> datagram, const IpEndpoint& to) {
    if (sockets_.empty() || !sockets_.front()->socket.is_open()) {
        return make_error("bacnet.send", "the local BACnet/IP socket is closed");
    }
    boost::system::error_code ec;
    sockets_.front()->socket.send_to(asio::buffer(datagram.data(), datagram.size()), to_asio(to), 0,
                                     ec);
    if (ec) {
        return make_error("bacnet.send", "cannot send to " + to_string(to) + ": " + ec.message());
    }
    return {};
}

void UdpPort::close() {
    for (auto& s : sockets_) {
        boost::system::error_code ignored;
        static_cast<void>(s->socket.close(ignored));
    }
}

}  // namespace lintel::bacnet
