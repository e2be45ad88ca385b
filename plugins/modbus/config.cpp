// Strict parsing of a Modbus device map into DeviceConfig (see docs/modbus.md for every key).
#include "config.hpp"

#include <array>
#include <cmath>

#include "lintel/config_reader.hpp"

namespace lintel::modbus {
namespace {

using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;
using namespace std::chrono_literals;

constexpr std::array<std::string_view, 2> kOrders{"big", "little"};
constexpr std::array<std::string_view, 4> kTables{"coil", "discrete_input", "input_register",
                                                  "holding_register"};
constexpr std::array<std::string_view, 10> kTypes{"bool",    "int16", "uint16", "int32",
                                                  "uint32",  "int64", "uint64", "float32",
                                                  "float64", "string"};

constexpr std::array<std::string_view, 3> kParities{"none", "even", "odd"};

Order to_order(std::string_view s) { return s == "little" ? Order::little : Order::big; }

Table to_table(std::string_view s) {
    for (std::size_t i = 0; i < kTables.size(); ++i) {
        if (kTables[i] == s) return static_cast<Table>(i);
    }
    return Table::holding_register;
}

ValueType to_type(std::string_view s) {
    for (std::size_t i = 0; i < kTypes.size(); ++i) {
        if (kTypes[i] == s) return static_cast<ValueType>(i);
    }
    return ValueType::uint16;
}

// Where to report a problem with `key`: the key's own node when present, else the map.
const ConfigNode& at(const MapReader& r, std::string_view key) {
    const ConfigNode* n = r.node().find(key);
    return n != nullptr ? *n : r.node();
}

bool is_numeric(ValueType t) { return t != ValueType::boolean && t != ValueType::string; }

std::optional<PointConfig> parse_point(const ConfigNode& node, const DeviceConfig& device,
                                       ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;

    PointConfig p;
    p.name = r.string("name").value_or("");
    if (r.has("name") && p.name.empty()) errors.add(at(r, "name"), "point name must not be empty");

    const auto table = r.choice("table", kTables);
    if (table) p.table = to_table(*table);
    const bool bits = table && is_bit_table(p.table);

    p.address = static_cast<std::uint16_t>(r.integer("address", 0, 65535).value_or(0));
    const auto type = r.choice("type", kTypes, bits ? "bool" : "uint16");
    if (type) p.type = to_type(*type);
    if (bits && type && p.type != ValueType::boolean) {
        errors.add(at(r, "type"), std::string(to_string(p.table)) + " points must be of type bool");
    }

    if (p.type == ValueType::string) {
        p.length = static_cast<std::uint16_t>(r.integer("length", 1, 125).value_or(1));
    } else if (r.has("length")) {
        r.child("length");
        errors.add(at(r, "length"), "length applies only to points of type string");
    }

    p.byte_order =
        to_order(r.choice("byte_order", kOrders, device.byte_order == Order::big ? "big" : "little")
                     .value_or("big"));
    p.word_order =
        to_order(r.choice("word_order", kOrders, device.word_order == Order::big ? "big" : "little")
                     .value_or("big"));

    for (std::string_view key : {"scale", "offset"}) {
        if (r.has(key) && type && !is_numeric(p.type)) {
            r.child(key);
            errors.add(at(r, key), std::string(key) + " applies only to numeric points, not " +
                                       std::string(to_string(p.type)));
        }
    }
    p.scale = r.number("scale", 1.0);
    if (p.scale == 0) errors.add(at(r, "scale"), "scale must not be 0");
    p.offset = r.number("offset", 0.0);
    p.unit = r.string("unit", "");

    p.writable = r.boolean("writable", false);
    if (p.writable && table && !is_writable_table(p.table)) {
        errors.add(at(r, "writable"), std::string(to_string(p.table)) +
                                          " points are read-only; only coil and holding_register "
                                          "points can be writable");
    }
    for (std::string_view key : {"min", "max"}) {
        if (!r.has(key)) continue;
        std::optional<double> limit = r.number(key);
        if (!limit) continue;
        if (!p.writable) {
            errors.add(at(r, key), std::string(key) + " is a write limit; it needs writable: true");
        } else if (type && !is_numeric(p.type)) {
            errors.add(at(r, key), std::string(key) + " applies only to numeric points, not " +
                                       std::string(to_string(p.type)));
        }
        (key == "min" ? p.min : p.max) = limit;
    }
    if (p.min && p.max && *p.min > *p.max) {
        errors.add(at(r, "max"), "max is below min");
    }

    if (table && r.has("address") && errors.size() == before &&
        static_cast<std::uint32_t>(p.address) + p.width() > 65536U) {
        errors.add(at(r, "address"), "point of " + std::to_string(p.width()) +
                                         (bits ? " bits" : " registers") + " at address " +
                                         std::to_string(p.address) + " runs past address 65535");
    }
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return p;
}

std::optional<SerialConfig> parse_serial(const ConfigNode& node, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;
    SerialConfig s;
    s.port = r.string("port").value_or("");
    if (r.has("port") && s.port.empty()) errors.add(at(r, "port"), "port must not be empty");
    s.baud = static_cast<unsigned>(r.integer("baud", 9600, 300, 4'000'000));
    const auto parity = r.choice("parity", kParities, "none").value_or("none");
    for (std::size_t i = 0; i < kParities.size(); ++i) {
        if (kParities[i] == parity) s.parity = static_cast<Parity>(i);
    }
    s.data_bits = static_cast<unsigned>(r.integer("data_bits", 8, 7, 8));
    s.stop_bits = static_cast<unsigned>(r.integer("stop_bits", 1, 1, 2));
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return s;
}

}  // namespace

std::string_view to_string(Parity p) { return kParities[static_cast<std::size_t>(p)]; }

std::string SerialConfig::describe() const {
    const char parity_letter = parity == Parity::none ? 'N' : parity == Parity::even ? 'E' : 'O';
    return std::to_string(baud) + " " + std::to_string(data_bits) + parity_letter +
           std::to_string(stop_bits);
}

std::string_view to_string(Table t) { return kTables[static_cast<std::size_t>(t)]; }
std::string_view to_string(ValueType t) { return kTypes[static_cast<std::size_t>(t)]; }
bool is_bit_table(Table t) { return t == Table::coil || t == Table::discrete_input; }
bool is_writable_table(Table t) { return t == Table::coil || t == Table::holding_register; }

std::uint16_t PointConfig::width() const {
    switch (type) {
        case ValueType::boolean:
        case ValueType::int16:
        case ValueType::uint16:
            return 1;
        case ValueType::int32:
        case ValueType::uint32:
        case ValueType::float32:
            return 2;
        case ValueType::int64:
        case ValueType::uint64:
        case ValueType::float64:
            return 4;
        case ValueType::string:
            return length;
    }
    return 1;
}

bool PointConfig::is_exact_integer() const {
    switch (type) {
        case ValueType::int16:
        case ValueType::uint16:
        case ValueType::int32:
        case ValueType::uint32:
        case ValueType::int64:
        case ValueType::uint64:
            return scale == 1 && offset == 0;
        default:
            return false;
    }
}

std::optional<DeviceConfig> parse_device_config(const ConfigNode& settings, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(settings, errors);
    if (!r.ok()) return std::nullopt;

    DeviceConfig d;
    if (r.has("serial")) {
        // Modbus RTU: a serial line instead of a TCP peer; the TCP-only keys make no sense.
        if (const ConfigNode* serial = r.child("serial"); serial != nullptr) {
            d.serial = parse_serial(*serial, errors);
        }
        for (std::string_view key : {"host", "port"}) {
            if (!r.has(key)) continue;
            r.child(key);
            errors.add(at(r, key),
                       "a device has either host (Modbus TCP) or serial (Modbus "
                       "RTU), not both; remove " +
                           std::string(key));
        }
    } else {
        d.host = r.string("host").value_or("");
        if (r.has("host") && d.host.empty()) errors.add(at(r, "host"), "host must not be empty");
        d.port = static_cast<std::uint16_t>(r.integer("port", 502, 1, 65535));
    }
    d.unit_id = static_cast<std::uint8_t>(r.integer("unit_id", 1, 0, 255));
    d.timeout = r.duration("timeout", 1s, 10ms, 60s);
    d.retries = static_cast<int>(r.integer("retries", 1, 0, 10));
    d.poll_interval = r.duration("poll_interval", 5s, 10ms, 24h);
    d.max_concurrent_requests = static_cast<int>(r.integer("max_concurrent_requests", 1, 1, 16));
    if (r.has("serial") && d.max_concurrent_requests > 1) {
        errors.add(at(r, "max_concurrent_requests"),
                   "a serial line carries one request at a time; max_concurrent_requests must be "
                   "1 with serial");
    }
    d.request_delay = r.duration("request_delay", 0ms, 0ms, 10s);
    d.max_gap = static_cast<std::uint16_t>(r.integer("max_gap", 0, 0, 124));
    d.backoff_max = r.duration("backoff_max", 60s, 10ms, 24h);
    d.byte_order = to_order(r.choice("byte_order", kOrders, "big").value_or("big"));
    d.word_order = to_order(r.choice("word_order", kOrders, "big").value_or("big"));

    if (const ConfigNode* points = r.child("points", true); points != nullptr) {
        if (!points->is_sequence() && !points->is_null()) {
            errors.add(*points, "expected a list of points");
        } else if (points->items.empty()) {
            errors.add(*points, "at least one point is required");
        } else {
            for (const ConfigNode& item : points->items) {
                auto p = parse_point(item, d, errors);
                if (!p) continue;
                bool duplicate = false;
                for (const auto& other : d.points) {
                    if (other.name == p->name) duplicate = true;
                }
                if (duplicate) {
                    const ConfigNode* name = item.find("name");
                    errors.add(name != nullptr ? *name : item,
                               "point name \"" + p->name + "\" is used twice in this device");
                    continue;
                }
                d.points.push_back(std::move(*p));
            }
        }
    }
    if (d.serial && d.unit_id == 0) {
        // Broadcast: every slave acts on it and none answers, so only writes make sense.
        for (const PointConfig& p : d.points) {
            if (p.writable) continue;
            errors.add(at(r, "unit_id"),
                       "unit_id 0 is the broadcast address of a serial line: nothing answers, so "
                       "every point must be writable (point \"" +
                           p.name + "\" is not)");
            break;
        }
    }
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return d;
}

}  // namespace lintel::modbus
