// Device address table (see device_table.hpp).
#include "device_table.hpp"

#include <algorithm>

namespace lintel::bacnet {

void DeviceTable::update(const IAm& i_am, const Peer& from,
                         std::chrono::steady_clock::time_point now) {
    const std::uint32_t instance = i_am.device.instance;
    if (!entries_.contains(instance) && entries_.size() >= kMaxEntries) {
        auto oldest = std::min_element(
            entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.second.seen < b.second.seen; });
        entries_.erase(oldest);
    }
    DeviceAddress& a = entries_[instance];
    a.peer = from;
    // Never more than B/IP carries, whatever the device claims.
    a.max_apdu = std::min<std::uint32_t>(i_am.max_apdu, 1476);
    a.segmentation = i_am.segmentation;
    a.vendor_id = i_am.vendor_id;
    a.seen = now;
}

const DeviceAddress* DeviceTable::find(std::uint32_t instance) const {
    auto it = entries_.find(instance);
    return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace lintel::bacnet
