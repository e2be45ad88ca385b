// libFuzzer target: arbitrary bytes as `rauc status` and `rauc info` JSON must give a status or
// an ota.query_failed error, never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rauc_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto status = lintel::ota::rauc::parse_status(text);
    if (!status && status.error().code != "ota.query_failed") std::abort();
    if (status) {
        const auto* booted = status->booted_slot();
        if (booted != nullptr && booted->state != "booted") std::abort();
    }
    auto info = lintel::ota::rauc::parse_bundle_info(text);
    if (info && info->version.empty()) std::abort();
    return 0;
}
