// How one point is found in a device's JSON document (docs/ipdevices.md, "Point mapping"),
// and the strict reading of its config keys, shared by the http and mqtt drivers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lintel/config_reader.hpp"
#include "lintel/error.hpp"
#include "lintel/point.hpp"

namespace lintel::jsonmap {

enum class ValueType { boolean, integer, real, string };

std::string_view to_string(ValueType t);

struct PointMapping {
    std::string name;
    std::string pointer;  // RFC 6901, validated: "" is the whole document
    ValueType type = ValueType::real;
    bool from_text = false;  // a JSON string holding the number/boolean is accepted
    double scale = 1;
    double offset = 0;
    std::string unit;
    std::optional<std::string> timestamp;  // RFC 6901 pointer to the value's time
    bool writable = false;
    std::optional<double> min;  // write limits, engineering units
    std::optional<double> max;

    // Integers with identity scaling stay exact integers; scaled integers become reals.
    bool is_exact_integer() const {
        return type == ValueType::integer && scale == 1 && offset == 0;
    }
    // What the point publishes (and accepts for writes) after scaling.
    ValueType published_type() const {
        return type == ValueType::integer && !is_exact_integer() ? ValueType::real : type;
    }
};

// Checks RFC 6901 syntax ("" or "/a/b~1c/0"; "~" only as "~0" or "~1"). nullopt when valid.
std::optional<std::string> check_pointer(std::string_view pointer);

// Reads the mapping keys (name, pointer, type, from_text, scale, offset, unit, timestamp,
// writable, min, max) from `r`; the caller reads its own keys (topic, write, ...) and calls
// r.finish(). Errors go to r.errors(); nullopt if any was added.
std::optional<PointMapping> read_mapping(sdk::MapReader& r);

// Where to report a problem with `key`: the key's own node when present, else the map.
const sdk::ConfigNode& key_node(const sdk::MapReader& r, std::string_view key);

// Reads a device's required, non-empty `points` list, the same way for every JSON driver: per
// item the mapping keys (read_mapping), then the driver's own keys through
// `read_rest(point_reader, mapping)` (mapping is nullopt when its keys had errors), then unknown
// keys and a unique name. `accept(mapping, item)` gets each point without any error.
void read_points(
    sdk::MapReader& device,
    const std::function<void(sdk::MapReader&, const std::optional<PointMapping>&)>& read_rest,
    const std::function<void(PointMapping, const sdk::ConfigNode&)>& accept);

// The point named `name` among a driver's `points` (each with a .mapping) and its write
// settings (`write_for(point)`, null when it has none), for a write command. Errors:
// <driver>.unknown_point, write.not_writable.
template <typename Point, typename WriteFor>
auto find_writable(const std::vector<Point>& points, std::string_view name, std::string_view device,
                   std::string_view driver, WriteFor write_for)
    -> Expected<std::pair<const Point*, decltype(write_for(points.front()))>> {
    for (const Point& p : points) {
        if (p.mapping.name != name) continue;
        auto write = write_for(p);
        if (!p.mapping.writable || write == nullptr)
            return make_error("write.not_writable", "point " + p.mapping.name + " is read-only");
        return std::pair{&p, write};
    }
    return make_error(
        std::string(driver) + ".unknown_point",
        "device " + std::string(device) + " has no point \"" + std::string(name) + "\"");
}

// The device value to send for a write of `value` (engineering units) to `mapping`: type
// checked, limits checked, scale and offset undone. Errors: write.type, write.range.
Expected<sdk::Value> to_device_value(const PointMapping& mapping, const sdk::Value& value);

}  // namespace lintel::jsonmap
