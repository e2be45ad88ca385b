// What lintel-bacnet-discover prints: the devices that answered Who-Is as a table, and one
// device's objects as a devices.d entry (YAML) an installer pastes and edits. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery.hpp"
#include "peer.hpp"
#include "value.hpp"

namespace lintel::bacnet {

struct DiscoveredDevice {
    std::uint32_t instance = 0;
    Peer peer;
    std::uint32_t max_apdu = 1476;
    std::uint16_t vendor_id = 0;
    std::string name;  // object-name of the device object; empty when it could not be read
};

struct DiscoveredObject {
    ObjectId id;
    std::string name;                    // object-name
    std::string description;             // may be empty
    std::optional<std::uint32_t> units;  // analog objects
};

// A point or device name lintel accepts, from a BACnet object-name: lower case, runs of other
// characters as '_', at most 64 characters; "<type>_<instance>" when nothing is left.
std::string point_name(std::string_view object_name, const ObjectId& id);

// "instance  address  max-apdu  vendor  name" lines, sorted by instance.
std::string render_device_list(std::vector<DiscoveredDevice> devices);

// A devices.d document with one bacnet device: analog, binary and multi-state objects as points
// (unique names, the object's name, units and description in a comment); other objects listed in
// a comment. `by_index` notes that the object-list had to be read element by element.
std::string render_point_map(const DiscoveredDevice& device,
                             const std::vector<DiscoveredObject>& objects, bool by_index);

}  // namespace lintel::bacnet
