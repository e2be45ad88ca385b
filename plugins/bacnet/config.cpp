// Strict parsing of a BACnet device map into DeviceConfig (see docs/bacnet.md for every key).
#include "config.hpp"

#include <algorithm>
#include <utility>

#include "endpoint.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::bacnet {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;

// Where to report a problem with `key`: the key's own node when present, else the map.
const ConfigNode& at(const MapReader& r, std::string_view key) {
    const ConfigNode* n = r.node().find(key);
    return n != nullptr ? *n : r.node();
}

std::optional<IpEndpoint> endpoint(MapReader& r, std::string_view key, std::uint16_t default_port,
                                   bool required = false) {
    auto text = required ? r.string(key) : r.optional_string(key);
    if (!text) return std::nullopt;
    std::string why;
    auto e = parse_ip_endpoint(*text, default_port, why);
    if (!e) r.errors().add(at(r, key), why);
    return e;
}

// A duration in whole seconds (COV lifetimes and BBMD TTLs travel as seconds).
std::chrono::seconds seconds(MapReader& r, std::string_view key, std::chrono::seconds fallback,
                             std::chrono::seconds min, std::chrono::seconds max) {
    const Millis d = r.duration(key, fallback, min, max);
    if (d.count() % 1000 != 0) {
        r.errors().add(at(r, key), "must be whole seconds (it is sent to the device in seconds)");
    }
    return std::chrono::duration_cast<std::chrono::seconds>(d);
}

std::optional<BbmdConfig> parse_bbmd(const ConfigNode& node, ConfigErrors& errors) {
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;
    BbmdConfig b;
    auto address = endpoint(r, "address", kDefaultPort, true);
    if (address) b.address = *address;
    // The TTL is a 16-bit number of seconds on the wire.
    b.ttl = seconds(r, "ttl", 300s, 1s, 65535s);
    r.finish();
    if (!address) return std::nullopt;
    return b;
}

void parse_link(MapReader& r, LinkConfig& link) {
    if (auto local = endpoint(r, "local", kDefaultPort)) link.local = *local;
    link.broadcast.port = link.local.port;
    if (auto broadcast = endpoint(r, "broadcast", link.local.port)) link.broadcast = *broadcast;
    if (const ConfigNode* bbmd = r.child("bbmd")) link.bbmd = parse_bbmd(*bbmd, r.errors());
}

void parse_route(MapReader& r, DeviceConfig& d) {
    const bool has_dnet = r.has("dnet");
    const bool has_dadr = r.has("dadr");
    if (!has_dnet && !has_dadr) return;
    NetworkAddress route;
    // 0 is "this network" and 65535 the global broadcast: neither names a remote network.
    route.network = static_cast<std::uint16_t>(r.integer("dnet", 1, 65534).value_or(1));
    if (auto dadr = r.string("dadr")) {
        std::string why;
        if (auto mac = parse_mac(*dadr, why)) {
            route.mac = *mac;
        } else {
            r.errors().add(at(r, "dadr"), why);
        }
    }
    if (has_dnet && has_dadr && !r.has("address")) {
        r.errors().add(at(r, "dnet"),
                       "a routed device needs `address`: the router in front of network " +
                           std::to_string(route.network));
    }
    d.route = std::move(route);
}

bool supports_cov(const PointConfig& p) {
    return p.is_present_value() && object_kind(p.object.type) != ObjectKind::other;
}

std::optional<PointConfig> parse_point(const ConfigNode& node, const DeviceConfig& device,
                                       ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;

    PointConfig p;
    p.name = r.string("name").value_or("");
    if (r.has("name") && p.name.empty()) errors.add(at(r, "name"), "point name must not be empty");
    if (p.name.ends_with(kRelinquishSuffix)) {
        errors.add(at(r, "name"),
                   "point names ending in \".relinquish\" are reserved for relinquishing writes");
    }
    if (auto object = r.string("object")) {
        std::string why;
        if (auto id = parse_object_id(*object, why)) {
            p.object = *id;
        } else {
            errors.add(at(r, "object"), why);
        }
    }
    if (auto property = r.optional_string("property")) {
        if (auto id = property_from_name(*property)) {
            p.ref.property = *id;
        } else {
            errors.add(at(r, "property"), "\"" + *property +
                                              "\" is not a BACnet property name (such as "
                                              "present-value) or number");
        }
    }
    if (r.has("array_index")) {
        p.ref.array_index =
            static_cast<std::uint32_t>(r.integer("array_index", 0, 4294967294).value_or(0));
    }
    p.unit = r.optional_string("unit");

    const bool cov_ok = supports_cov(p);
    if (r.has("cov")) {
        p.cov = r.boolean("cov", false);
        if (p.cov && !cov_ok) {
            errors.add(at(r, "cov"),
                       "COV is for the present-value of analog, binary and multi-state objects; "
                       "this point is polled");
        }
    } else {
        p.cov = device.cov && cov_ok;
    }

    p.writable = r.boolean("writable", false);
    if (p.writable && !cov_ok) {
        errors.add(at(r, "writable"),
                   "only the present-value of analog, binary and multi-state objects can be "
                   "written");
    }
    auto needs_writable = [&](std::string_view key) {
        if (r.has(key) && !p.writable) {
            errors.add(at(r, key),
                       std::string(key) + " applies to writes; it needs writable: true");
        }
    };
    needs_writable("priority");
    p.priority = static_cast<std::uint8_t>(r.integer("priority", device.write_priority, 1, 16));
    for (std::string_view key : {"min", "max"}) {
        if (!r.has(key)) continue;
        const std::optional<double> limit = r.number(key);
        needs_writable(key);
        if (p.writable && object_kind(p.object.type) == ObjectKind::binary) {
            errors.add(at(r, key),
                       std::string(key) + " does not apply to binary points (true/false)");
        }
        (key == "min" ? p.min : p.max) = limit;
    }
    if (p.min && p.max && *p.min > *p.max) errors.add(at(r, "max"), "max is below min");
    if (r.has("relinquish_after")) {
        needs_writable("relinquish_after");
        p.relinquish_after = r.duration("relinquish_after", 0ms, 1s, 24h * 365);
    }
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return p;
}

void parse_points(MapReader& r, DeviceConfig& d) {
    const ConfigNode* points = r.child("points", true);
    if (points == nullptr) return;
    if (!points->is_sequence() && !points->is_null()) {
        r.errors().add(*points, "expected a list of points");
        return;
    }
    if (points->items.empty()) {
        r.errors().add(*points, "at least one point is required");
        return;
    }
    for (const ConfigNode& item : points->items) {
        auto p = parse_point(item, d, r.errors());
        if (!p) continue;
        const bool duplicate = std::any_of(d.points.begin(), d.points.end(),
                                           [&](const PointConfig& o) { return o.name == p->name; });
        if (duplicate) {
            const ConfigNode* name = item.find("name");
            r.errors().add(name != nullptr ? *name : item,
                           "point name \"" + p->name + "\" is used twice in this device");
            continue;
        }
        d.points.push_back(std::move(*p));
    }
}

}  // namespace

ObjectKind object_kind(ObjectType type) {
    switch (type) {
        case ObjectType::analog_input:
        case ObjectType::analog_output:
        case ObjectType::analog_value:
            return ObjectKind::analog;
        case ObjectType::binary_input:
        case ObjectType::binary_output:
        case ObjectType::binary_value:
            return ObjectKind::binary;
        case ObjectType::multi_state_input:
        case ObjectType::multi_state_output:
        case ObjectType::multi_state_value:
            return ObjectKind::multistate;
        default:
            return ObjectKind::other;
    }
}

std::optional<ObjectId> parse_object_id(std::string_view text, std::string& why) {
    const auto sep = text.find_first_of(":,");
    if (sep == std::string_view::npos) {
        why = "\"" + std::string(text) + "\" is not an object: write TYPE:INSTANCE, e.g. AI:1 or " +
              "analog-input:1";
        return std::nullopt;
    }
    const auto type = object_type_from_name(text.substr(0, sep));
    if (!type) {
        why = "\"" + std::string(text.substr(0, sep)) +
              "\" is not an object type (AI, AO, AV, BI, BO, BV, MSI, MSO, MSV, a standard name "
              "such as analog-input, or a number)";
        return std::nullopt;
    }
    const std::string_view digits = text.substr(sep + 1);
    std::uint64_t instance = 0;
    bool ok = !digits.empty() && digits.size() <= 7;
    for (char c : digits) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) instance = instance * 10 + static_cast<std::uint64_t>(c - '0');
    }
    // kMaxInstance itself means "any device" / "uninitialised": no real object has it.
    if (!ok || instance >= kMaxInstance) {
        why = "\"" + std::string(digits) + "\" is not an object instance (0-" +
              std::to_string(kMaxInstance - 1) + ")";
        return std::nullopt;
    }
    return ObjectId{*type, static_cast<std::uint32_t>(instance)};
}

std::string object_id_text(const ObjectId& id) {
    static constexpr std::pair<ObjectType, std::string_view> kShort[] = {
        {ObjectType::analog_input, "AI"},       {ObjectType::analog_output, "AO"},
        {ObjectType::analog_value, "AV"},       {ObjectType::binary_input, "BI"},
        {ObjectType::binary_output, "BO"},      {ObjectType::binary_value, "BV"},
        {ObjectType::multi_state_input, "MSI"}, {ObjectType::multi_state_output, "MSO"},
        {ObjectType::multi_state_value, "MSV"},
    };
    for (const auto& [type, name] : kShort) {
        if (type == id.type) return std::string(name) + ":" + std::to_string(id.instance);
    }
    return object_type_name(id.type) + ":" + std::to_string(id.instance);
}

std::string DeviceConfig::describe() const {
    std::string s = "device";
    if (device_instance) s += " " + std::to_string(*device_instance);
    if (address) s += " at " + to_string(*address);
    if (route) s += " (" + to_string(*route) + ")";
    return s;
}

std::optional<DeviceConfig> parse_device_config(const ConfigNode& settings, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(settings, errors);
    if (!r.ok()) return std::nullopt;

    DeviceConfig d;
    if (r.has("device_instance")) {
        d.device_instance = static_cast<std::uint32_t>(
            r.integer("device_instance", 0, kMaxInstance - 1).value_or(0));
    }
    d.address = endpoint(r, "address", kDefaultPort);
    if (!r.has("device_instance") && !r.has("address")) {
        errors.add(settings,
                   "a BACnet device needs `device_instance` (found by Who-Is), "
                   "`address` (ip:port), or both");
    }
    parse_route(r, d);
    parse_link(r, d.link);
    d.timeout = r.duration("timeout", 3s, 10ms, 60s);
    d.retries = static_cast<int>(r.integer("retries", 1, 0, 10));
    d.max_concurrent_requests = static_cast<int>(r.integer("max_concurrent_requests", 1, 1, 16));
    d.poll_interval = r.duration("poll_interval", 30s, 100ms, 24h);
    if (r.has("max_apdu")) {
        d.max_apdu = static_cast<std::uint16_t>(r.integer("max_apdu", 50, 1476).value_or(1476));
    }
    d.status_flags = r.boolean("status_flags", true);
    d.cov = r.boolean("cov", true);
    d.cov_lifetime = seconds(r, "cov_lifetime", 600s, 1s, 24h);
    d.cov_confirmed = r.boolean("cov_confirmed", false);
    d.write_priority = static_cast<std::uint8_t>(r.integer("write_priority", 16, 1, 16));
    d.backoff_max = r.duration("backoff_max", 300s, 100ms, 24h);
    if (auto dir = r.optional_string("state_dir")) {
        if (dir->empty() || dir->front() != '/') {
            errors.add(at(r, "state_dir"), "must be an absolute path, got \"" + *dir + "\"");
        } else {
            d.state_dir = *dir;
        }
    }
    parse_points(r, d);
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return d;
}

}  // namespace lintel::bacnet
