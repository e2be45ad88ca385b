// What lintel-bacnet-discover does on the network: Who-Is and collecting I-Am, reading the devices'
// names; for one device its object-list (by index when too long) and each object's name, units
// and description. The results are rendered by point_map.hpp.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "lintel/log.hpp"
#include "network.hpp"
#include "options.hpp"

namespace lintel::bacnet::discover {

// Exit status: 0 found, 1 nothing (or the device) did not answer; `out` gets what goes to stdout.
// Who-Is (range, unicast to --address) and the devices that answered, as a table.
asio::awaitable<int> list_devices(std::shared_ptr<Network> network, Options options,
                                  sdk::Logger& log, std::string& out);
// Device --device: its objects as a devices.d entry.
asio::awaitable<int> list_objects(std::shared_ptr<Network> network, Options options,
                                  sdk::Logger& log, std::string& out);

}  // namespace lintel::bacnet::discover
