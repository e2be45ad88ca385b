// Reads a YAML file or string into a ConfigNode tree with file/line/column marks and key paths.
// The only place that includes yaml-cpp: its exceptions end here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/config_node.hpp"

namespace lintel::core {

// Parse errors (bad YAML, duplicate keys, non-scalar keys) are added to `errors`; nullopt then.
std::optional<sdk::ConfigNode> load_yaml_string(std::string_view text,
                                                const std::string& file_label,
                                                sdk::ConfigErrors& errors);
std::optional<sdk::ConfigNode> load_yaml_file(const std::filesystem::path& path,
                                              sdk::ConfigErrors& errors);

}  // namespace lintel::core
