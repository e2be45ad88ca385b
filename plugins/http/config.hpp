// The http driver's device model and its strict parsing from a device's config map
// (docs/ipdevices.md, "HTTP devices").
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lintel/config_node.hpp"
#include "mapping.hpp"
#include "net/http_url.hpp"
#include "payload_template.hpp"

namespace lintel::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

enum class Method { get, post, put };
std::string_view to_string(Method m);

struct BasicAuth {
    std::string username;
    std::filesystem::path password_file;  // 0600; read at every request, never logged
};

struct TlsConfig {
    std::filesystem::path ca_file;  // required for https unless insecure
    bool insecure = false;          // no certificate or host name check (lab devices only)
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
};

struct WriteConfig {
    Method method = Method::post;
    jsonmap::PayloadTemplate url;   // rendered, then parsed as an http(s) URL
    jsonmap::PayloadTemplate body;  // empty: no body
    Headers headers;                // added to (and overriding) the device's headers
};

struct PointConfig {
    jsonmap::PointMapping mapping;
    std::optional<WriteConfig> write;  // the point's own, else the device's
};

struct DeviceConfig {
    net::HttpUrl url;
    Method method = Method::get;
    Headers headers;
    std::string body;
    std::optional<BasicAuth> basic_auth;
    TlsConfig tls;
    std::chrono::milliseconds timeout{5000};
    std::chrono::milliseconds poll_interval{10000};
    std::vector<PointConfig> points;

    const WriteConfig* write_for(const PointConfig& point) const;
    std::optional<WriteConfig> write;  // device-wide default for writable points
    // The mappings alone, in point order (what extract() takes).
    std::vector<jsonmap::PointMapping> mappings() const;
};

// Reads `settings` (a device map without the host's own keys). Every problem is added to
// `errors` as "file:line:col: key.path: reason"; returns nullopt if there was any.
std::optional<DeviceConfig> parse_device_config(const sdk::ConfigNode& settings,
                                                sdk::ConfigErrors& errors);

}  // namespace lintel::http
