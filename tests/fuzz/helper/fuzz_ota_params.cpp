// libFuzzer target: arbitrary bytes as the params object of each ota-* action must give params
// or a helper.bad_params error, never a crash or sanitizer report; accepted params stay within
// the documented bounds (an install always carries its manifest, no other step does).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/strict_json.hpp"
#include "helper/ota_request.hpp"
#include "helper/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lintel::helper;
    if (size > k_max_request_bytes) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto json = lintel::common::parse_strict_json(text, "params", codes::malformed, k_max_nesting);
    if (!json) return 0;
    for (auto step :
         {OtaStep::installed_version, OtaStep::install, OtaStep::commit, OtaStep::rollback}) {
        auto params = parse_ota_params(*json, step);
        if (!params) {
            if (params.error().code != codes::bad_params) std::abort();
            continue;
        }
        if (params->handler.empty() || params->component.empty()) std::abort();
        if ((step == OtaStep::install) == params->artifacts.empty()) std::abort();
        if ((step == OtaStep::install) == params->manifest.empty()) std::abort();
        if (params->manifest.size() > k_max_manifest_param) std::abort();
        if (params->params.size() > k_max_handler_params) std::abort();
        if (params->artifacts.size() > k_max_artifacts) std::abort();
        if (params->timeout.count() < 1 || params->timeout > k_max_ota_timeout) std::abort();
    }
    return 0;
}
