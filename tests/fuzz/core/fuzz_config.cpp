// libFuzzer target: arbitrary bytes as lintel.yaml (and as a devices.d fragment, templates
// merged) must produce a config or errors, never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config_loader.hpp"
#include "core/device_templates.hpp"
#include "core/yaml_loader.hpp"
#include "lintel/config_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    lintel::sdk::ConfigErrors errors;
    auto root = lintel::core::load_yaml_string(text, "fuzz.yaml", errors);
    if (!root) return 0;
    lintel::core::LoadOptions options{"/usr/lib/lintel/plugins", false};
    (void)lintel::core::parse_main_config(*root, options, errors);
    std::vector<lintel::core::DeviceEntry> devices;
    lintel::core::parse_devices(*root, devices, errors);
    // The same document as a devices.d fragment: its templates merged into its devices.
    lintel::core::TemplateSet templates;
    lintel::core::collect_templates(*root, templates, errors);
    lintel::core::expand_templates(*root, templates, errors);
    lintel::core::parse_devices(*root, devices, errors);
    for (const auto& issue : errors.issues()) (void)issue.to_string();
    // The scalar parsers on their own, on the raw input.
    std::string why;
    (void)lintel::sdk::parse_duration(text, why);
    (void)lintel::sdk::parse_size(text, why);
    (void)lintel::sdk::parse_int(text, why);
    (void)lintel::sdk::parse_double(text, why);
    return 0;
}
