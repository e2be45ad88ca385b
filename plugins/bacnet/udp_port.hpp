// The gateway's UDP socket(s) on one local endpoint: receives every datagram and hands it on,
// sends datagrams without blocking. When bound to one interface address, a second socket listens
// on the broadcast address, because Linux does not deliver broadcasts to a socket bound to a
// unicast address. Only this file and udp_port.cpp touch sockets.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bvlc.hpp"
#include "lintel/error.hpp"

namespace lintel::bacnet {

class UdpPort : public std::enable_shared_from_this<UdpPort> {
public:
    using Receive =
        std::function<void(std::span<const std::uint8_t> datagram, const IpEndpoint& from)>;

    // Binds `local` with SO_REUSEADDR (a reload opens the new socket while the old one may
    // still be closing) and SO_BROADCAST. Errors: bacnet.bind naming the address and the reason.
    static Expected<std::shared_ptr<UdpPort>> open(asio::any_io_executor executor,
                                                   const IpEndpoint& local, Receive receive);
    // Binds a second socket on the broadcast address to hear broadcasts (SO_REUSEADDR: the
    // devices on this host and other gateways share it). Errors: bacnet.bind.
    Expected<void> listen_broadcast(const IpEndpoint& broadcast);
    ~UdpPort();
    UdpPort(const UdpPort&) = delete;
    UdpPort& operator=(const UdpPort&) = delete;

    // Sends now or fails (bacnet.send): UDP either takes the datagram or the send buffer is full.
    Expected<void> send(std::span<const std::uint8_t> datagram, const IpEndpoint& to);
    // The bound unicast address (the real port when 0 was asked for).
    const IpEndpoint& local() const { return local_; }
    void close();

private:
    struct Socket;
    explicit UdpPort(Receive receive);
    Expected<std::shared_ptr<Socket>> bind(asio::any_io_executor executor, const IpEndpoint& at);
    void receive_on(std::size_t index);

    Receive receive_;
    std::vector<std::shared_ptr<Socket>> sockets_;  // [0] unicast, [1] broadcast listener
    IpEndpoint local_;
};

}  // namespace lintel::bacnet
