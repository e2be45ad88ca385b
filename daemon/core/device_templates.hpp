// Device templates: a `templates:` entry of a devices.d file defines keys once (a meter model's
// point map, report settings); a device that says `template: NAME` gets them merged under its own.
// The merge works on ConfigNode trees, so plugins see one ordinary device entry and every key
// keeps the file/line/column where it was written. Rules: docs/configuration.md#device-templates.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "lintel/config_node.hpp"

namespace lintel::core {

struct DeviceTemplate {
    std::string name;
    sdk::ConfigNode node;  // the whole `templates:` entry
};

using TemplateSet = std::map<std::string, DeviceTemplate, std::less<>>;

// Adds the `templates:` list of one document to `out`; names must be unique across documents.
void collect_templates(const sdk::ConfigNode& root, TemplateSet& out, sdk::ConfigErrors& errors);

// Replaces every entry of `root`'s `devices:` list that names a template by the merged entry.
// A device whose template is unknown or does not fit is reported and left out of the list.
void expand_templates(sdk::ConfigNode& root, const TemplateSet& templates,
                      sdk::ConfigErrors& errors);

// One device entry merged over its template (exposed for tests and the fuzzer). nullopt with
// errors when the template's and the device's `driver` disagree or points_remove is invalid.
std::optional<sdk::ConfigNode> merge_device(const DeviceTemplate& tmpl,
                                            const sdk::ConfigNode& device,
                                            sdk::ConfigErrors& errors);

}  // namespace lintel::core
