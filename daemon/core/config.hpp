// The daemon's configuration as validated structs (lintel.yaml + devices.d/*.yaml).
// Every key is documented in docs/configuration.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/commands_config.hpp"
#include "core/credentials_config.hpp"
#include "core/ota_config.hpp"
#include "core/report_settings.hpp"
#include "lintel/config_node.hpp"
#include "lintel/log.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::core {

using Duration = std::chrono::milliseconds;

struct TlsConfig {
    std::filesystem::path ca_file;
    std::filesystem::path cert_file;
    std::filesystem::path key_file;  // a PEM file, or a pkcs11: URI when `pkcs11` is set
    std::optional<std::filesystem::path> crl_file;
    std::optional<pkcs11::TokenSettings> pkcs11;  // the key is in a PKCS#11 token

    bool operator==(const TlsConfig&) const = default;
};

// One file the TLS settings name (see core/credentials.hpp for the checks).
struct CredentialFile {
    std::filesystem::path path;
    std::string key;   // the config key naming it, e.g. "uplink.tls.key_file"
    std::string what;  // for the operator, e.g. "this gateway's private key"
    bool private_key = false;

    bool operator==(const CredentialFile&) const = default;
};

// uplink.identity: the lifecycle of the uplink's certificate (docs/certificates.md).
struct IdentitySettings {
    // The CA that issues gateway certificates (pinned); absent: uplink.tls.ca_file.
    std::optional<std::filesystem::path> ca_file;
    Duration renew_before{30LL * 86'400'000};  // renew this long before notAfter
    std::vector<Duration> warn_before{Duration{30LL * 86'400'000}, Duration{7LL * 86'400'000},
                                      Duration{86'400'000}};
    Duration reply_timeout{60'000};      // CSR published -> certificate reply
    int attempts = 3;                    // CSRs per renewal before waiting retry_interval
    Duration retry_interval{3'600'000};  // after a failed renewal
    Duration switch_timeout{60'000};     // new identity must be connected by then, else rollback
    // A claim certificate for first contact (docs/provisioning.md): used when the gateway has
    // neither an issued identity nor uplink.tls.cert_file/key_file.
    std::optional<std::filesystem::path> claim_cert_file;
    std::optional<std::filesystem::path> claim_key_file;

    bool operator==(const IdentitySettings&) const = default;
};

struct UplinkSettings {
    std::string host;
    int port = 8883;
    std::string protocol = "mqtt5";  // mqtt5 | mqtt311
    Duration keepalive{30'000};
    Duration connect_timeout{15'000};
    std::string topic_prefix = "lintel/v1";
    TlsConfig tls;
    Duration reconnect_initial{1'000};
    Duration reconnect_max{30'000};
    std::size_t batch_max_points = 500;
    std::size_t batch_max_bytes = 64 * 1024;
    int max_in_flight = 32;
    Duration status_interval{60'000};
    IdentitySettings identity;

    bool operator==(const UplinkSettings&) const = default;
};

struct BufferSettings {
    std::filesystem::path path = "/var/lib/lintel/buffer.db";
    std::uint64_t max_bytes = 256ULL * 1024 * 1024;
    Duration commit_interval{50};
    std::size_t commit_batch = 5000;
    std::string synchronous = "normal";  // normal | full

    bool operator==(const BufferSettings&) const = default;
};

// The local control socket (lintelctl). See docs/lintelctl.md.
struct ControlSettings {
    bool enabled = true;
    std::filesystem::path socket = "/run/lintel/control.sock";  // used when not socket-activated
    std::string admin_group = "lintel-admin";                   // members may connect
    bool operator==(const ControlSettings&) const = default;
};

// lintel-helper, the root helper that writes what linteld itself may not (docs/helper.md).
struct HelperSettings {
    std::filesystem::path socket = "/run/lintel-helper.sock";
    bool operator==(const HelperSettings&) const = default;
};

struct DeviceEntry {
    std::string name;
    std::string driver;
    bool enabled = true;
    std::optional<ReportSettings> report;  // absent: every value is reported
    sdk::ConfigNode settings;              // the driver's own keys, validated by the plugin
    sdk::ConfigNode node;                  // the whole entry, for error marks
};

struct Config {
    std::filesystem::path source;  // the main file
    std::string gateway_id;
    sdk::LogLevel log_level = sdk::LogLevel::info;
    std::filesystem::path plugin_dir;
    std::filesystem::path devices_dir;
    BufferSettings buffer;
    UplinkSettings uplink;
    Duration shutdown_timeout{10'000};
    CommandsSettings commands;
    OtaSettings ota;
    CredentialsSettings credentials;  // delivered 802.1X / Wi-Fi credentials
    ControlSettings control;
    HelperSettings helper;
    std::vector<DeviceEntry> devices;
    // Credential files that do not exist yet: the gateway is not provisioned. linteld runs and
    // buffers, and starts the uplink once they appear (not an error; see docs/configuration.md).
    std::vector<CredentialFile> missing_credentials;
};

}  // namespace lintel::core
