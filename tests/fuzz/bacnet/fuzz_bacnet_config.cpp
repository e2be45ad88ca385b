// libFuzzer target: arbitrary bytes as a BACnet device's config (YAML → DeviceConfig), as the
// timed-relinquish state file, and as lintel-bacnet-discover's arguments must give a result or
// errors, never a crash, hang or sanitizer report. What parses must survive a round trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "core/yaml_loader.hpp"
#include "endpoint.hpp"
#include "options.hpp"
#include "relinquish_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace lintel::bacnet;

    lintel::sdk::ConfigErrors errors;
    if (auto root = lintel::core::load_yaml_string(text, "fuzz.yaml", errors)) {
        if (auto config = parse_device_config(*root, errors)) {
            for (const auto& p : config->points) {
                std::string why;
                if (parse_object_id(object_id_text(p.object), why) != p.object) __builtin_trap();
            }
            (void)config->describe();
        }
    }
    for (const auto& issue : errors.issues()) (void)issue.to_string();

    // The state file: whatever decodes re-encodes and decodes to the same entries.
    const RelinquishFile file = decode_relinquish_file(text);
    if (file.problems.empty() && !file.entries.empty()) {
        const auto again =
            decode_relinquish_file(encode_relinquish_file(file.device_key, file.entries));
        if (again.entries.size() != file.entries.size()) __builtin_trap();
    }

    // Address texts and the discovery tool's command line (words split at spaces).
    std::string why;
    (void)parse_ip_endpoint(text, kDefaultPort, why);
    (void)parse_mac(text, why);
    std::vector<std::string> args;
    std::string word;
    for (char c : text) {
        if (c == ' ') {
            args.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    args.push_back(word);
    (void)discover::parse_options(args);
    return 0;
}
