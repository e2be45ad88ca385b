// The params of lintel-helper's wpa-config action (docs/helper.md): which configuration file,
// and for a write the network's typed settings and PEMs. Strict like every request; no asio, so
// the fuzzer (clang) builds it.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "wpa/config_file.hpp"

namespace lintel::helper {

inline constexpr std::size_t k_max_wpa_file_name = 64;
inline constexpr std::size_t k_max_wpa_pem_bytes = 24 * 1024;  // as a bundle's PEM fields
inline constexpr std::size_t k_max_wpa_text_bytes = 256;

struct WpaConfigRequest {
    enum class Op { write, restore } op = Op::write;
    // A plain name in --wpa-config-dir: [A-Za-z0-9][A-Za-z0-9_.-]*.conf, at most 64 bytes, no "..".
    std::string file;
    wpa::NetworkSettings network;            // write
    std::string ca_cert;                     // write, 802.1X: PEM
    std::optional<std::string> client_cert;  // write, eap-tls: PEM
    std::optional<std::string> client_key;   // write, eap-tls: PEM
};

// helper.bad_params naming the param (never quoting a secret's value).
Expected<WpaConfigRequest> parse_wpa_config_params(const nlohmann::json& params);

// The file name rule above.
bool is_wpa_config_file_name(std::string_view name);

// The request's params as linteld sends them (the inverse of parse_wpa_config_params).
nlohmann::json wpa_config_params(const WpaConfigRequest& request);

}  // namespace lintel::helper
