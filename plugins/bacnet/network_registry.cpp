// Shared local endpoints (see network_registry.hpp).
#include "network_registry.hpp"

namespace lintel::bacnet {
namespace {

std::string describe(const LinkConfig& link) {
    std::string s = "broadcast " + to_string(link.broadcast);
    s += link.bbmd ? ", BBMD " + to_string(link.bbmd->address) + " (TTL " +
                         std::to_string(link.bbmd->ttl.count()) + " s)"
                   : ", no BBMD";
    return s;
}

}  // namespace

Expected<std::shared_ptr<Network>> NetworkRegistry::acquire(asio::any_io_executor executor,
                                                            const LinkConfig& link) {
    const std::string key = to_string(link.local);
    if (auto it = open_.find(key); it != open_.end()) {
        if (auto open = it->second.lock()) {
            if (open->link() == link) return open;
            return make_error("bacnet.link_conflict",
                              "local endpoint " + key + " is already open with " +
                                  describe(open->link()) + ", not " + describe(link));
        }
    }
    auto network = Network::open(std::move(executor), link);
    if (!network) return std::unexpected(network.error());
    open_[key] = *network;
    return *network;
}

std::optional<std::string> NetworkRegistry::declare(const std::string& device,
                                                    const LinkConfig& link) {
    const std::string key = to_string(link.local);
    auto [it, inserted] = declared_.try_emplace(key, Declared{device, link});
    if (inserted || it->second.link == link) return std::nullopt;
    if (it->second.device == device) {  // the same device rebuilt with a new config
        it->second.link = link;
        return std::nullopt;
    }
    return "device " + it->second.device + " uses local endpoint " + key + " with " +
           describe(it->second.link) +
           "; devices sharing a local endpoint share one socket and "
           "must name the same broadcast and bbmd (or use another local port)";
}

}  // namespace lintel::bacnet
