// Rendering of discovery results (see point_map.hpp).
#include "point_map.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "config.hpp"
#include "point_value.hpp"

namespace lintel::bacnet {
namespace {

// Text for a YAML comment: one line, no control characters.
std::string comment_text(std::string_view text) {
    std::string out;
    for (char c : text) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    return out;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

bool commandable_type(ObjectType t) {
    return t == ObjectType::analog_output || t == ObjectType::binary_output ||
           t == ObjectType::multi_state_output;
}

}  // namespace

std::string point_name(std::string_view object_name, const ObjectId& id) {
    std::string out;
    bool gap = false;
    for (char c : object_name) {
        const bool keep =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
        if (!keep) {
            gap = !out.empty();
            continue;
        }
        if (gap) out += '_';
        gap = false;
        out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (out.size() >= 64) break;
    }
    if (out.empty()) {
        out = object_id_text(id);
        std::transform(out.begin(), out.end(), out.begin(), [](char c) {
            return c == ':' || c == '-'
                       ? '_'
                       : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        });
    }
    return out;
}

std::string render_device_list(std::vector<DiscoveredDevice> devices) {
    std::sort(devices.begin(), devices.end(),
              [](const auto& a, const auto& b) { return a.instance < b.instance; });
    std::string out = "# instance  address                          max-apdu  vendor  name\n";
    for (const auto& d : devices) {
        out += pad(std::to_string(d.instance), 11) + " " + pad(to_string(d.peer), 32) + " " +
               pad(std::to_string(d.max_apdu), 9) + " " + pad(std::to_string(d.vendor_id), 7) +
               " " + (d.name.empty() ? "-" : comment_text(d.name)) + "\n";
    }
    return out;
}

std::string render_point_map(const DiscoveredDevice& device,
                             const std::vector<DiscoveredObject>& objects, bool by_index) {
    std::string device_name = point_name(device.name, {ObjectType::device, device.instance});
    std::string out = "# lintel-bacnet-discover: device " + std::to_string(device.instance) +
                      (device.name.empty() ? "" : " \"" + comment_text(device.name) + "\"") +
                      " at " + to_string(device.peer) + ", max APDU " +
                      std::to_string(device.max_apdu) + ", " + std::to_string(objects.size()) +
                      " objects" + (by_index ? " (object-list read by index)" : "") + "\n";
    out += "# Paste into /etc/lintel/devices.d/" + device_name +
           ".yaml and edit: rename points, drop the ones you do not need, add writable: true "
           "(and priority) to those the cloud may command. See docs/bacnet.md.\n";
    out += "devices:\n  - name: " + device_name + "\n    driver: bacnet\n";
    out += "    device_instance: " + std::to_string(device.instance) + "\n";
    out += "    points:\n";
    std::set<std::string> used;
    std::map<std::string, int> skipped;
    std::size_t points = 0;
    for (const DiscoveredObject& o : objects) {
        if (object_kind(o.id.type) == ObjectKind::other) {
            if (o.id.type != ObjectType::device) ++skipped[object_type_name(o.id.type)];
            continue;
        }
        std::string name = point_name(o.name, o.id);
        for (int n = 2; used.contains(name); ++n) {
            name = point_name(o.name, o.id) + "_" + std::to_string(n);
        }
        used.insert(name);
        ++points;
        std::string line = "      - {name: " + name + ", object: " + object_id_text(o.id) + "}";
        std::string note = "\"" + comment_text(o.name) + "\"";
        if (o.units) {
            const std::string unit = unit_text(*o.units);
            if (!unit.empty()) note += ", " + unit;
        }
        if (commandable_type(o.id.type)) note += ", commandable";
        if (!o.description.empty()) note += ", " + comment_text(o.description);
        out += pad(line, 56) + "  # " + note + "\n";
    }
    if (points == 0) out += "      []  # no analog, binary or multi-state objects\n";
    for (const auto& [type, count] : skipped) {
        out += "    # not listed: " + std::to_string(count) + " " + type + " object(s)\n";
    }
    return out;
}

}  // namespace lintel::bacnet
