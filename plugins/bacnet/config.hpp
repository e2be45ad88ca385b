// The BACnet device and point model, and its strict parsing from a device's config map
// (every key is documented in docs/bacnet.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bvlc.hpp"
#include "lintel/config_node.hpp"
#include "npdu.hpp"
#include "read_property.hpp"
#include "value.hpp"

namespace lintel::bacnet {

using Millis = std::chrono::milliseconds;

// The name of the pseudo-point that relinquishes a writable point: "<point>.relinquish".
inline constexpr std::string_view kRelinquishSuffix = ".relinquish";
inline constexpr const char* kDefaultStateDir = "/var/lib/lintel/bacnet";

// Foreign-device registration with a BBMD, for a gateway outside the devices' broadcast domain.
struct BbmdConfig {
    IpEndpoint address;
    std::chrono::seconds ttl{300};
    bool operator==(const BbmdConfig&) const = default;
};

// The local side: one UDP socket per local endpoint, shared by the devices that name it, so
// they must agree on the broadcast address and the BBMD.
struct LinkConfig {
    IpEndpoint local{{0, 0, 0, 0}, kDefaultPort};
    IpEndpoint broadcast{{255, 255, 255, 255}, kDefaultPort};
    std::optional<BbmdConfig> bbmd;
    bool operator==(const LinkConfig&) const = default;
};

// What a point's object is, which decides how present-value is typed on the wire and published.
enum class ObjectKind : std::uint8_t { analog, binary, multistate, other };
ObjectKind object_kind(ObjectType type);

struct PointConfig {
    std::string name;
    ObjectId object;
    PropertyRef ref;
    std::optional<std::string> unit;  // set: published as is; unset: from the object's units
    bool cov = false;                 // present-value by change of value (falls back to polling)
    bool writable = false;
    std::uint8_t priority = 16;  // write priority
    std::optional<double> min;
    std::optional<double> max;
    std::optional<Millis> relinquish_after;  // timed write: relinquished this long after

    bool is_present_value() const {
        return ref.property == PropertyId::present_value && !ref.array_index;
    }
};

struct DeviceConfig {
    std::optional<std::uint32_t> device_instance;
    std::optional<IpEndpoint> address;    // the device, or the router in front of it
    std::optional<NetworkAddress> route;  // dnet/dadr: a device behind a router
    LinkConfig link;
    Millis timeout{3000};
    int retries = 1;
    int max_concurrent_requests = 1;
    Millis poll_interval{30000};
    std::optional<std::uint16_t> max_apdu;  // overrides what the I-Am says
    bool status_flags = true;               // read status-flags with present-value (quality)
    bool cov = true;
    std::chrono::seconds cov_lifetime{600};
    bool cov_confirmed = false;
    std::uint8_t write_priority = 16;
    Millis backoff_max{300000};
    std::filesystem::path state_dir = kDefaultStateDir;
    std::vector<PointConfig> points;

    // "device 1234", "device at 192.0.2.10:47808", "device 1234 (network 5, MAC 0x0a)".
    std::string describe() const;
};

// Reads `settings` (a device map without the host's own keys). Every problem is added to
// `errors` as "file:line:col: key.path: reason"; nullopt if there was any.
std::optional<DeviceConfig> parse_device_config(const sdk::ConfigNode& settings,
                                                sdk::ConfigErrors& errors);

// "AI:1", "analog-input:1", "analog-input,1" or "0:1" → the object; nullopt + why otherwise.
std::optional<ObjectId> parse_object_id(std::string_view text, std::string& why);
// "AI:1" for the nine point types, else "analog-input:1" style: what parse_object_id reads back.
std::string object_id_text(const ObjectId& id);

}  // namespace lintel::bacnet
