// Strict parsing of an http device map into DeviceConfig (see docs/ipdevices.md for every key).
#include "config.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "lintel/config_reader.hpp"

namespace lintel::http {
namespace {

using namespace std::chrono_literals;
using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;

constexpr std::array<std::string_view, 3> k_methods{"GET", "POST", "PUT"};

Method to_method(std::string_view s) {
    if (s == "POST") return Method::post;
    if (s == "PUT") return Method::put;
    return Method::get;
}

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A map of header name → value. Host, Content-Length and Authorization are ours to set.
Headers read_headers(const ConfigNode* node, ConfigErrors& errors) {
    Headers out;
    if (node == nullptr || node->is_null()) return out;
    if (!node->is_map()) {
        errors.add(*node, "expected a map of header names to values");
        return out;
    }
    for (const auto& entry : node->entries) {
        const std::string& name = entry.key;
        std::string lower;
        for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
            errors.add(entry.value, "\"" + name + "\" is not a valid HTTP header name");
        } else if (lower == "host" || lower == "content-length" || lower == "authorization" ||
                   lower == "connection" || lower == "transfer-encoding") {
            errors.add(entry.value,
                       "header " + name + " is set by lintel (use basic_auth for Authorization)");
        } else if (!entry.value.is_scalar()) {
            errors.add(entry.value, "expected a header value");
        } else if (entry.value.scalar.find_first_of("\r\n") != std::string::npos) {
            errors.add(entry.value, "a header value must not contain line breaks");
        } else {
            out.emplace_back(name, entry.value.scalar);
        }
    }
    return out;
}

std::optional<WriteConfig> read_write(const ConfigNode& node, const std::string& device_url,
                                      jsonmap::ValueType kind, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(node, errors);
    if (!r.ok()) return std::nullopt;
    WriteConfig w;
    w.method = to_method(r.choice("method", k_methods, "POST").value_or("POST"));
    const std::string url = r.string("url", device_url);
    if (auto t = jsonmap::PayloadTemplate::parse(url, jsonmap::Escape::url, kind); !t) {
        errors.add(jsonmap::key_node(r, "url"), t.error().message);
    } else {
        // Placeholders are percent-encoded, so a URL valid for one value is valid for all.
        const sdk::Value sample = std::string("x");
        const std::string rendered = t->render(jsonmap::TemplateContext{sample, "p", "d"});
        if (auto u = net::parse_http_url(rendered, net::Schemes::http_or_https); !u) {
            errors.add(jsonmap::key_node(r, "url"), "not a usable URL: " + u.error().message);
        }
        w.url = std::move(*t);
    }
    if (auto body = r.optional_string("body")) {
        if (w.method == Method::get) {
            errors.add(jsonmap::key_node(r, "body"), "a GET write sends no body; use POST or PUT");
        } else if (auto t = jsonmap::PayloadTemplate::parse(*body, jsonmap::Escape::json, kind);
                   !t) {
            errors.add(jsonmap::key_node(r, "body"), t.error().message);
        } else {
            w.body = std::move(*t);
        }
    }
    w.headers = read_headers(r.child("headers"), errors);
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return w;
}

std::optional<TlsConfig> read_tls(const ConfigNode* node, bool https, ConfigErrors& errors,
                                  const ConfigNode& device) {
    TlsConfig tls;
    if (node == nullptr) {
        if (https) errors.add(device, "an https url needs tls.ca_file (or tls.insecure: true)");
        return tls;
    }
    const std::size_t before = errors.size();
    MapReader r(*node, errors);
    if (!r.ok()) return std::nullopt;
    if (!https) {
        errors.add(*node, "tls applies only to https:// urls");
        r.finish();
        return std::nullopt;
    }
    tls.ca_file = r.string("ca_file", "");
    tls.insecure = r.boolean("insecure", false);
    tls.cert_file = r.string("cert_file", "");
    tls.key_file = r.string("key_file", "");
    if (tls.ca_file.empty() && !tls.insecure)
        errors.add(*node, "ca_file is required (or insecure: true, which checks nothing)");
    if (tls.cert_file.empty() != tls.key_file.empty())
        errors.add(*node, "cert_file and key_file go together");
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return tls;
}

}  // namespace

std::string_view to_string(Method m) { return k_methods[static_cast<std::size_t>(m)]; }

const WriteConfig* DeviceConfig::write_for(const PointConfig& point) const {
    if (point.write) return &*point.write;
    return write ? &*write : nullptr;
}

std::vector<jsonmap::PointMapping> DeviceConfig::mappings() const {
    std::vector<jsonmap::PointMapping> out;
    out.reserve(points.size());
    for (const auto& p : points) out.push_back(p.mapping);
    return out;
}

std::optional<DeviceConfig> parse_device_config(const ConfigNode& settings, ConfigErrors& errors) {
    const std::size_t before = errors.size();
    MapReader r(settings, errors);
    if (!r.ok()) return std::nullopt;

    DeviceConfig d;
    const std::string url = r.string("url").value_or("");
    if (r.has("url")) {
        if (auto u = net::parse_http_url(url, net::Schemes::http_or_https); !u) {
            errors.add(jsonmap::key_node(r, "url"), "not a usable URL: " + u.error().message);
        } else {
            d.url = std::move(*u);
        }
    }
    d.method = to_method(r.choice("method", k_methods, "GET").value_or("GET"));
    d.headers = read_headers(r.child("headers"), errors);
    d.body = r.string("body", "");
    if (!d.body.empty() && d.method == Method::get)
        errors.add(jsonmap::key_node(r, "body"), "a GET request sends no body; use method: POST");
    if (const ConfigNode* auth = r.child("basic_auth")) {
        MapReader a(*auth, errors);
        if (a.ok()) {
            BasicAuth b;
            b.username = a.string("username").value_or("");
            if (b.username.find(':') != std::string::npos)
                errors.add(jsonmap::key_node(a, "username"),
                           "a basic_auth username must not contain ':'");
            b.password_file = a.string("password_file").value_or("");
            a.finish();
            d.basic_auth = std::move(b);
        }
    }
    if (auto tls = read_tls(r.child("tls"), r.has("url") && d.url.tls, errors, settings))
        d.tls = std::move(*tls);
    d.timeout = r.duration("timeout", 5s, 100ms, 120s);
    d.poll_interval = r.duration("poll_interval", 10s, 100ms, 24h);

    // The device-wide write is checked for every writable point's type below.
    const ConfigNode* device_write = r.child("write");
    if (device_write != nullptr)
        d.write = read_write(*device_write, url, jsonmap::ValueType::string, errors);

    std::optional<WriteConfig> point_write;
    jsonmap::read_points(
        r,
        [&](MapReader& p, const std::optional<jsonmap::PointMapping>& mapping) {
            point_write.reset();
            const ConfigNode* w = p.child("write");
            if (w == nullptr || !mapping) return;
            if (!mapping->writable) {
                errors.add(*w, "write needs writable: true");
            } else {
                point_write = read_write(*w, url, mapping->published_type(), errors);
            }
        },
        [&](jsonmap::PointMapping mapping, const ConfigNode& item) {
            if (mapping.writable && !point_write) {
                if (device_write == nullptr) {
                    errors.add(item, "writable point " + mapping.name +
                                         " needs a write (on the point or the device)");
                } else if (d.write) {
                    // Re-checked for this point's type: a body valid for strings may not be
                    // valid JSON for a bool.
                    read_write(*device_write, url, mapping.published_type(), errors);
                }
            }
            d.points.push_back(PointConfig{std::move(mapping), std::move(point_write)});
        });
    r.finish();
    if (errors.size() != before) return std::nullopt;
    return d;
}

}  // namespace lintel::http
