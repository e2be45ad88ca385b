// libFuzzer target: arbitrary bytes as the params of wpa-config must give a request or a
// helper.bad_params error, never a crash; an accepted write renders to a configuration whose
// every line fits wpa_supplicant's buffer, or is refused with wpa.bad_value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/strict_json.hpp"
#include "helper/protocol.hpp"
#include "helper/wpa_request.hpp"
#include "wpa/escape.hpp"
#include "wpa/reason_codes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lintel::helper;
    if (size > k_max_request_bytes) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto json = lintel::common::parse_strict_json(text, "params", codes::malformed, k_max_nesting);
    if (!json) return 0;
    auto request = parse_wpa_config_params(*json);
    if (!request) {
        if (request.error().code != codes::bad_params) std::abort();
        return 0;
    }
    if (!is_wpa_config_file_name(request->file)) std::abort();
    if (request->op == WpaConfigRequest::Op::restore) return 0;
    lintel::wpa::CertificatePaths paths{"/etc/wpa_supplicant/x.conf.d/ca-0.pem", {}, {}};
    if (request->client_cert) {
        paths.client_cert = "/etc/wpa_supplicant/x.conf.d/client-0.pem";
        paths.private_key = "/etc/wpa_supplicant/x.conf.d/key-0.pem";
    }
    auto config =
        lintel::wpa::render_config(lintel::wpa::GlobalSettings{}, request->network, paths);
    if (!config) {
        if (config.error().code != lintel::wpa::reason::bad_value) std::abort();
        return 0;
    }
    std::size_t start = 0;
    while (start < config->size()) {
        const auto end = config->find('\n', start);
        if (end == std::string::npos) std::abort();  // every line ends in a newline
        if (end - start + 1 > lintel::wpa::k_max_config_line) std::abort();
        start = end + 1;
    }
    // And the parser accepts what linteld would send for it.
    if (!parse_wpa_config_params(wpa_config_params(*request))) std::abort();
    return 0;
}
