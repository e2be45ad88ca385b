// libFuzzer target: arbitrary bytes as dpkg-deb --field output, as dpkg-query output (exit 0
// and 1), and as a file-handler destination; accepted values must keep their documented shape.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb_fields.hpp"
#include "destination.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto fields = lintel::ota::deb::parse_deb_fields(text);
    if (fields && (fields->package.empty() || fields->version.empty() ||
                   fields->version.find(' ') != std::string::npos)) {
        std::abort();
    }
    for (int code : {0, 1}) {
        auto state = lintel::ota::deb::parse_package_state("lintel", code, text);
        if (state && state->version && state->status != "installed") std::abort();
    }
    // An accepted destination is strictly below an allowed directory: no "." or ".." component.
    auto ref = lintel::ota::file::resolve_destination("/var/lib/firmware:/srv/fw", text);
    if (ref) {
        if (ref->relative.empty() || ref->relative.is_absolute()) std::abort();
        for (const auto& part : ref->relative) {
            if (part == "." || part == ".." || part.empty()) std::abort();
        }
    }
    (void)lintel::ota::file::parse_mode(text);
    return 0;
}
