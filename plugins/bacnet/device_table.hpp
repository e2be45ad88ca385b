// The address table of one local endpoint: which device instance answered I-Am from where, with
// the largest APDU it accepts. Filled by every I-Am heard (ours to Who-Is, or anyone's), read when
// a device configured by instance must be reached. Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "discovery.hpp"
#include "peer.hpp"

namespace lintel::bacnet {

struct DeviceAddress {
    Peer peer;
    std::uint32_t max_apdu = 1476;
    Segmentation segmentation = Segmentation::none;
    std::uint16_t vendor_id = 0;
    std::chrono::steady_clock::time_point seen{};
};

class DeviceTable {
public:
    // A hostile or broken network could announce millions of instances: the oldest entries go
    // beyond this many.
    static constexpr std::size_t kMaxEntries = 10000;

    void update(const IAm& i_am, const Peer& from, std::chrono::steady_clock::time_point now);
    const DeviceAddress* find(std::uint32_t instance) const;
    void forget(std::uint32_t instance) { entries_.erase(instance); }
    const std::map<std::uint32_t, DeviceAddress>& entries() const { return entries_; }

private:
    std::map<std::uint32_t, DeviceAddress> entries_;
};

}  // namespace lintel::bacnet
