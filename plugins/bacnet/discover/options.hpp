// Command line of lintel-bacnet-discover (see packaging/man/lintel-bacnet-discover.1).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "lintel/error.hpp"

namespace lintel::bacnet::discover {

struct Options {
    LinkConfig link;                   // --local, --broadcast, --bbmd, --ttl
    std::optional<std::uint32_t> low;  // --low/--high: Who-Is range
    std::optional<std::uint32_t> high;
    std::optional<IpEndpoint> address;    // --address: unicast Who-Is to one address
    std::optional<std::uint32_t> device;  // --device: list its objects
    std::chrono::milliseconds wait{3000};
    std::chrono::milliseconds timeout{3000};
    int retries = 1;
    bool verbose = false;
    bool help = false;
};

// Error code "usage" with a message naming the option.
Expected<Options> parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace lintel::bacnet::discover
