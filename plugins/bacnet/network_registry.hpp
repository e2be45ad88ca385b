// The driver's table of open local endpoints: devices naming the same local address and port
// share one Network (one socket), opened by the first device that starts and closed when the
// last one stops. Also checks, at config time, that devices sharing an endpoint agree on its
// broadcast address and BBMD.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config.hpp"
#include "lintel/error.hpp"
#include "network.hpp"

namespace lintel::bacnet {

class NetworkRegistry {
public:
    // The open Network of link.local, or a new one. Errors: bacnet.bind, or bacnet.link_conflict
    // when it is open with another broadcast address or BBMD.
    Expected<std::shared_ptr<Network>> acquire(asio::any_io_executor executor,
                                               const LinkConfig& link);

    // Remembers that `device` uses `link`; returns why it conflicts with a device declared
    // before on the same local endpoint, if it does.
    std::optional<std::string> declare(const std::string& device, const LinkConfig& link);

private:
    struct Declared {
        std::string device;
        LinkConfig link;
    };
    std::map<std::string, std::weak_ptr<Network>> open_;
    std::map<std::string, Declared> declared_;
};

}  // namespace lintel::bacnet
