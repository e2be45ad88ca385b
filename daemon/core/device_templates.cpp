// Device templates: collecting `templates:` entries and merging them under the devices that use
// them.
#include "core/device_templates.hpp"

#include <algorithm>
#include <optional>

#include "core/config_names.hpp"

namespace lintel::core {
namespace {

using sdk::ConfigEntry;
using sdk::ConfigErrors;
using sdk::ConfigNode;

std::string where(const sdk::Mark& m) { return m.file + ":" + std::to_string(m.line); }

ConfigEntry* find_entry(ConfigNode& map, std::string_view key) {
    for (auto& e : map.entries) {
        if (e.key == key) return &e;
    }
    return nullptr;
}

// The scalar `name` of a map item, or nullptr.
const std::string* item_name(const ConfigNode& item) {
    const ConfigNode* n = item.is_map() ? item.find("name") : nullptr;
    return n != nullptr && n->is_scalar() ? &n->scalar : nullptr;
}

// Keys that came from the template keep their marks (file, line, column of the template); their
// paths say which device uses them, so a driver's error leads to the template and the device.
void relabel(ConfigNode& node, std::string_view from, const std::string& to) {
    if (node.path.starts_with(from)) node.path = to + node.path.substr(from.size());
    for (auto& item : node.items) relabel(item, from, to);
    for (auto& e : node.entries) relabel(e.value, from, to);
}

void merge_map(ConfigNode& base, const ConfigNode& over);

// A point named in the device updates the template's point of that name key by key; other
// points are appended.
void merge_points(ConfigNode& base, const ConfigNode& over) {
    for (const ConfigNode& item : over.items) {
        const std::string* name = item_name(item);
        auto same = name == nullptr ? base.items.end()
                                    : std::find_if(base.items.begin(), base.items.end(),
                                                   [&](const ConfigNode& b) {
                                                       const std::string* n = item_name(b);
                                                       return n != nullptr && *n == *name;
                                                   });
        if (same != base.items.end()) {
            merge_map(*same, item);
        } else {
            base.items.push_back(item);
        }
    }
    base.mark = over.mark;
    base.path = over.path;
}

// Keys of `over` replace those of `base`; maps merge recursively, `points` lists by name.
void merge_map(ConfigNode& base, const ConfigNode& over) {
    for (const ConfigEntry& e : over.entries) {
        ConfigEntry* mine = find_entry(base, e.key);
        if (mine == nullptr) {
            base.entries.push_back(e);
        } else if (mine->value.is_map() && e.value.is_map()) {
            merge_map(mine->value, e.value);
            mine->key_mark = e.key_mark;
        } else if (e.key == "points" && mine->value.is_sequence() && e.value.is_sequence()) {
            merge_points(mine->value, e.value);
            mine->key_mark = e.key_mark;
        } else {
            *mine = e;
        }
    }
    base.mark = over.mark;
    base.path = over.path;
}

// Drops the template's points named in the device's points_remove list.
bool remove_points(ConfigNode& merged, const ConfigNode& list, const DeviceTemplate& tmpl,
                   ConfigErrors& errors) {
    if (!list.is_sequence()) {
        errors.add(list, "expected a list of point names");
        return false;
    }
    ConfigEntry* points = find_entry(merged, "points");
    bool ok = true;
    for (const ConfigNode& name : list.items) {
        if (!name.is_scalar()) {
            errors.add(name, "expected a point name");
            ok = false;
            continue;
        }
        const std::size_t before = points != nullptr ? points->value.items.size() : 0;
        if (points != nullptr) {
            std::erase_if(points->value.items, [&](const ConfigNode& p) {
                const std::string* n = item_name(p);
                return n != nullptr && *n == name.scalar;
            });
        }
        if (points == nullptr || points->value.items.size() == before) {
            errors.add(name, "template \"" + tmpl.name + "\" has no point \"" + name.scalar +
                                 "\" to remove");
            ok = false;
        }
    }
    return ok;
}

}  // namespace

void collect_templates(const ConfigNode& root, TemplateSet& out, ConfigErrors& errors) {
    const ConfigNode* list = root.find("templates");
    if (list == nullptr || list->is_null()) return;
    if (!list->is_sequence()) {
        errors.add(*list, "expected a list of templates");
        return;
    }
    for (const ConfigNode& item : list->items) {
        if (!item.is_map()) {
            errors.add(item, "expected a map of keys");
            continue;
        }
        const ConfigNode* name = item.find("name");
        if (name == nullptr) {
            errors.add(item.mark, item.path + ".name", "required key is missing");
            continue;
        }
        if (!name->is_scalar() || !is_config_name(name->scalar)) {
            errors.add(*name,
                       "template name must be 1-64 characters of A-Z a-z 0-9 . _ -, not starting "
                       "with . or -");
            continue;
        }
        bool bad = false;
        if (const ConfigNode* nested = item.find("template")) {
            // One level only: a chain of templates is hard to read and could loop.
            errors.add(*nested, "a template may not use another template");
            bad = true;
        }
        if (const ConfigNode* remove = item.find("points_remove")) {
            errors.add(*remove, "points_remove is a device key: it removes template points");
            bad = true;
        }
        if (const ConfigNode* driver = item.find("driver");
            driver != nullptr && (!driver->is_scalar() || !is_config_name(driver->scalar, false))) {
            errors.add(*driver, "driver name must be 1-64 characters of a-z 0-9 _ -");
            bad = true;
        }
        if (auto it = out.find(name->scalar); it != out.end()) {
            errors.add(*name, "duplicate template name \"" + name->scalar +
                                  "\" (first defined at " + where(it->second.node.mark) + ")");
            continue;
        }
        // A bad template is still recorded, so its devices do not also say "unknown template".
        out.emplace(name->scalar, DeviceTemplate{name->scalar, bad ? ConfigNode{} : item});
    }
}

std::optional<ConfigNode> merge_device(const DeviceTemplate& tmpl, const ConfigNode& device,
                                       ConfigErrors& errors) {
    if (!tmpl.node.is_map()) return std::nullopt;  // reported where the template is defined
    const ConfigNode* own_driver = device.find("driver");
    const ConfigNode* tmpl_driver = tmpl.node.find("driver");
    if (own_driver != nullptr && tmpl_driver != nullptr && own_driver->is_scalar() &&
        own_driver->scalar != tmpl_driver->scalar) {
        errors.add(*own_driver, "driver \"" + own_driver->scalar + "\" does not match template \"" +
                                    tmpl.name + "\" (driver \"" + tmpl_driver->scalar + "\" at " +
                                    where(tmpl_driver->mark) + ")");
        return std::nullopt;
    }
    const ConfigNode* dev_name = device.find("name");
    const std::string user =
        dev_name != nullptr && dev_name->is_scalar() ? dev_name->scalar : device.path;
    ConfigNode merged = tmpl.node;
    relabel(merged, tmpl.node.path,
            tmpl.node.path + "(template " + tmpl.name + " of device " + user + ")");
    std::erase_if(merged.entries, [](const ConfigEntry& e) { return e.key == "name"; });
    bool ok = true;
    if (const ConfigNode* remove = device.find("points_remove"))
        ok = remove_points(merged, *remove, tmpl, errors);
    ConfigNode own = device;
    std::erase_if(own.entries, [](const ConfigEntry& e) {
        return e.key == "template" || e.key == "points_remove";
    });
    merge_map(merged, own);
    if (!ok) return std::nullopt;
    return merged;
}

void expand_templates(ConfigNode& root, const TemplateSet& templates, ConfigErrors& errors) {
    ConfigEntry* list = find_entry(root, "devices");
    if (list == nullptr || !list->value.is_sequence()) return;
    std::vector<ConfigNode> expanded;
    expanded.reserve(list->value.items.size());
    for (ConfigNode& item : list->value.items) {
        const ConfigNode* use = item.is_map() ? item.find("template") : nullptr;
        if (use == nullptr) {
            expanded.push_back(std::move(item));
            continue;
        }
        if (!use->is_scalar()) {
            errors.add(*use, "expected a template name");
            continue;
        }
        auto it = templates.find(use->scalar);
        if (it == templates.end()) {
            errors.add(*use, "unknown template \"" + use->scalar + "\"");
            continue;
        }
        if (auto merged = merge_device(it->second, item, errors))
            expanded.push_back(std::move(*merged));
    }
    list->value.items = std::move(expanded);
}

}  // namespace lintel::core
