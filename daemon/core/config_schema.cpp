// The schema of lintel.yaml and of the devices lists: types, ranges, defaults, unknown keys.
#include <array>
#include <string_view>

#include "core/config_loader.hpp"
#include "core/config_names.hpp"
#include "lintel/config_reader.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::core {
namespace {

using sdk::ConfigErrors;
using sdk::ConfigNode;
using sdk::MapReader;
using namespace std::chrono_literals;

constexpr sdk::Duration kHour = 3'600'000ms;
constexpr sdk::Duration kDay = 24 * kHour;

void check_identifier(MapReader& r, std::string_view key, const std::optional<std::string>& value,
                      bool allow_upper_and_dot, std::string_view what) {
    if (!value) return;
    if (!is_config_name(*value, allow_upper_and_dot)) {
        r.errors().add(*r.node().find(key),
                       std::string(what) + " \"" + *value + "\" must be 1-64 characters of " +
                           (allow_upper_and_dot ? "A-Z a-z 0-9 . _ -" : "a-z 0-9 _ -") +
                           ", not starting with . or -");
    }
}

std::filesystem::path path_value(MapReader& r, std::string_view key, bool required,
                                 std::filesystem::path fallback = {}) {
    auto s = required ? r.string(key) : r.optional_string(key);
    if (!s) return fallback;
    if (s->empty() || s->front() != '/') {
        r.errors().add(*r.node().find(key), "must be an absolute path, got \"" + *s + "\"");
        return fallback;
    }
    return *s;
}

void parse_tls(const ConfigNode* node, TlsConfig& tls, ConfigErrors& errors,
               const ConfigNode& parent) {
    if (node == nullptr) {
        errors.add(parent.mark, parent.path.empty() ? "tls" : parent.path + ".tls",
                   "required key is missing");
        return;
    }
    MapReader r(*node, errors);
    tls.ca_file = path_value(r, "ca_file", true);
    tls.cert_file = path_value(r, "cert_file", true);
    // key_file names a PEM file, or with `pkcs11:` a key in a token; the token's module and PIN
    // file are then given in uplink.tls.pkcs11, and only there (never a PIN in this file).
    const auto key_text =
        r.node().find("key_file") != nullptr && r.node().find("key_file")->is_scalar()
            ? r.optional_string("key_file")
            : std::nullopt;
    const bool token_key = key_text && pkcs11::is_pkcs11_uri(*key_text);
    if (token_key) {
        if (auto uri = pkcs11::parse_key_uri(*key_text); !uri) {
            errors.add(*r.node().find("key_file"), uri.error().message);
        }
        tls.key_file = *key_text;
    } else {
        tls.key_file = path_value(r, "key_file", true);
    }
    if (r.has("crl_file")) tls.crl_file = path_value(r, "crl_file", false);
    if (const ConfigNode* p = r.child("pkcs11")) {
        MapReader pr(*p, errors);
        pkcs11::TokenSettings token;
        token.module = path_value(pr, "module", true);
        token.pin_file = path_value(pr, "pin_file", true);
        pr.finish();
        if (!token_key) {
            errors.add(*p, "is only used with a pkcs11: URI in uplink.tls.key_file");
        }
        tls.pkcs11 = std::move(token);
    } else if (token_key) {
        errors.add(*r.node().find("key_file"),
                   "a pkcs11: URI needs uplink.tls.pkcs11 with module and pin_file");
    }
    r.finish();
}

void parse_identity(const ConfigNode* node, IdentitySettings& id, ConfigErrors& errors) {
    if (node == nullptr) return;
    MapReader r(*node, errors);
    if (r.has("ca_file")) id.ca_file = path_value(r, "ca_file", false);
    // Up to 100 years: a renewal right away for a long-lived factory certificate is legitimate.
    id.renew_before = r.duration("renew_before", id.renew_before, kHour, 36500 * kDay);
    if (const ConfigNode* w = r.child("warn_before")) {
        if (!w->is_sequence() || w->items.empty() || w->items.size() > 8) {
            errors.add(*w, "must be a list of 1 to 8 durations, e.g. [30d, 7d, 1d]");
        } else {
            id.warn_before.clear();
            for (const auto& item : w->items) {
                std::string why;
                auto d = item.is_scalar() ? sdk::parse_duration(item.scalar, why) : std::nullopt;
                if (!d || *d < kHour || *d > 365 * kDay) {
                    errors.add(item, "must be a duration from 1h to 365d");
                    continue;
                }
                id.warn_before.push_back(*d);
            }
        }
    }
    id.reply_timeout = r.duration("reply_timeout", id.reply_timeout, 1s, kHour);
    id.attempts = static_cast<int>(r.integer("attempts", id.attempts, 1, 10));
    id.retry_interval = r.duration("retry_interval", id.retry_interval, 1s, 7 * kDay);
    id.switch_timeout = r.duration("switch_timeout", id.switch_timeout, 1s, kHour);
    if (r.has("claim_cert_file")) id.claim_cert_file = path_value(r, "claim_cert_file", false);
    if (r.has("claim_key_file")) id.claim_key_file = path_value(r, "claim_key_file", false);
    if (id.claim_cert_file.has_value() != id.claim_key_file.has_value())
        errors.add(*node, "claim_cert_file and claim_key_file go together");
    r.finish();
}

void parse_uplink(const ConfigNode* node, UplinkSettings& u, ConfigErrors& errors,
                  const ConfigNode& root) {
    if (node == nullptr) {
        errors.add(root.mark, "uplink", "required key is missing");
        return;
    }
    MapReader r(*node, errors);
    if (auto host = r.string("host")) {
        if (host->empty()) errors.add(*r.node().find("host"), "must not be empty");
        u.host = *host;
    }
    u.port = static_cast<int>(r.integer("port", u.port, 1, 65535));
    static constexpr std::array<std::string_view, 2> kProtocols{"mqtt5", "mqtt311"};
    u.protocol = r.choice("protocol", kProtocols, "mqtt5").value_or(u.protocol);
    u.keepalive = r.duration("keepalive", u.keepalive, 5s, 65535s);
    u.connect_timeout = r.duration("connect_timeout", u.connect_timeout, 1s, 300s);
    u.topic_prefix = r.string("topic_prefix", u.topic_prefix);
    {
        const std::string& p = u.topic_prefix;
        const bool bad = p.empty() || p.front() == '/' || p.back() == '/' || p.front() == '$' ||
                         p.find_first_of("+#") != std::string::npos ||
                         p.find("//") != std::string::npos || p.size() > 128;
        if (bad && r.node().find("topic_prefix") != nullptr) {
            errors.add(*r.node().find("topic_prefix"),
                       "must be topic levels separated by / without + # $, empty levels or a "
                       "leading/trailing /");
        }
    }
    parse_tls(r.child("tls"), u.tls, errors, r.node());
    if (const ConfigNode* rc = r.child("reconnect")) {
        MapReader rr(*rc, errors);
        u.reconnect_initial = rr.duration("initial", u.reconnect_initial, 100ms, 600s);
        u.reconnect_max = rr.duration("max", u.reconnect_max, 1s, kHour);
        rr.finish();
        if (u.reconnect_initial > u.reconnect_max) {
            errors.add(*rc, "initial (" + sdk::format_duration(u.reconnect_initial) +
                                ") must not exceed max (" + sdk::format_duration(u.reconnect_max) +
                                ")");
        }
    }
    if (const ConfigNode* b = r.child("batch")) {
        MapReader br(*b, errors);
        u.batch_max_points = static_cast<std::size_t>(
            br.integer("max_points", static_cast<std::int64_t>(u.batch_max_points), 1, 10'000));
        // Brokers commonly cap messages at 128 KiB (AWS IoT Core); stay below it.
        u.batch_max_bytes = br.size("max_bytes", u.batch_max_bytes, 1024, 127 * 1024);
        br.finish();
    }
    u.max_in_flight = static_cast<int>(r.integer("max_in_flight", u.max_in_flight, 1, 1000));
    u.status_interval = r.duration("status_interval", u.status_interval, 1s, kDay);
    parse_identity(r.child("identity"), u.identity, errors);
    r.finish();
}

void parse_buffer(const ConfigNode* node, BufferSettings& b, ConfigErrors& errors) {
    if (node == nullptr) return;
    MapReader r(*node, errors);
    b.path = path_value(r, "path", false, b.path);
    b.max_bytes = r.size("max_bytes", b.max_bytes, 1024ULL * 1024, 1ULL << 40);
    b.commit_interval = r.duration("commit_interval", b.commit_interval, 1ms, 10s);
    b.commit_batch = static_cast<std::size_t>(
        r.integer("commit_batch", static_cast<std::int64_t>(b.commit_batch), 1, 1'000'000));
    static constexpr std::array<std::string_view, 2> kSync{"normal", "full"};
    b.synchronous = r.choice("synchronous", kSync, "normal").value_or(b.synchronous);
    r.finish();
}

// One level of `report:` (the device's, or one point's under `points:`).
ReportBand parse_band(MapReader& r) {
    ReportBand b;
    const double kMax = 1e15;
    if (r.has("deadband")) b.deadband = r.number("deadband");
    if (r.has("deadband_percent")) b.deadband_percent = r.number("deadband_percent");
    if (b.deadband && (*b.deadband < 0 || *b.deadband > kMax)) {
        r.errors().add(*r.node().find("deadband"), "must be from 0 to 1e15");
        b.deadband.reset();
    }
    if (b.deadband_percent && (*b.deadband_percent < 0 || *b.deadband_percent > 100)) {
        r.errors().add(*r.node().find("deadband_percent"), "must be from 0 to 100");
        b.deadband_percent.reset();
    }
    if (b.deadband && b.deadband_percent) {
        r.errors().add(*r.node().find("deadband_percent"),
                       "give deadband or deadband_percent, not both");
    }
    if (r.has("heartbeat")) b.heartbeat = r.duration("heartbeat", 0s, 1s, 7 * kDay);
    return b;
}

ReportSettings parse_report(const ConfigNode& node, ConfigErrors& errors) {
    ReportSettings s;
    MapReader r(node, errors);
    s.device = parse_band(r);
    if (const ConfigNode* points = r.child("points")) {
        if (!points->is_map()) {
            errors.add(*points, "expected a map of point name to settings");
        } else {
            for (const auto& e : points->entries) {
                MapReader pr(e.value, errors);
                s.points[e.key] = parse_band(pr);
                pr.finish();
            }
        }
    }
    r.finish();
    return s;
}

sdk::LogLevel to_level(const std::string& s) {
    if (s == "debug") return sdk::LogLevel::debug;
    if (s == "warning") return sdk::LogLevel::warning;
    if (s == "error") return sdk::LogLevel::error;
    return sdk::LogLevel::info;
}

}  // namespace

std::optional<Config> parse_main_config(const ConfigNode& root, const LoadOptions& options,
                                        ConfigErrors& errors) {
    const std::size_t errors_before = errors.size();
    Config c = read_main_config(root, options, errors);
    if (errors.size() != errors_before) return std::nullopt;
    return c;
}

Config read_main_config(const ConfigNode& root, const LoadOptions& options, ConfigErrors& errors) {
    Config c;
    c.source = root.mark.file;
    c.plugin_dir = options.default_plugin_dir;
    c.devices_dir = std::filesystem::path(root.mark.file).parent_path() / "devices.d";
    if (root.is_null()) {
        errors.add(root.mark, "", "the file is empty; it needs at least gateway.id and uplink");
        return c;
    }
    MapReader r(root, errors);
    if (!r.ok()) return c;

    if (const ConfigNode* g = r.child("gateway", true)) {
        MapReader gr(*g, errors);
        auto id = gr.string("id");
        check_identifier(gr, "id", id, true, "gateway id");
        if (id) c.gateway_id = *id;
        gr.finish();
    }
    if (const ConfigNode* l = r.child("log")) {
        MapReader lr(*l, errors);
        static constexpr std::array<std::string_view, 4> kLevels{"debug", "info", "warning",
                                                                 "error"};
        c.log_level = to_level(lr.choice("level", kLevels, "info").value_or("info"));
        lr.finish();
    }
    if (const ConfigNode* p = r.child("plugins")) {
        MapReader pr(*p, errors);
        c.plugin_dir = path_value(pr, "dir", false, c.plugin_dir);
        pr.finish();
    }
    c.devices_dir = path_value(r, "devices_dir", false, c.devices_dir);
    parse_buffer(r.child("buffer"), c.buffer, errors);
    parse_uplink(r.child("uplink"), c.uplink, errors, root);
    if (const ConfigNode* s = r.child("shutdown")) {
        MapReader sr(*s, errors);
        c.shutdown_timeout = sr.duration("timeout", c.shutdown_timeout, 1s, 300s);
        sr.finish();
    }
    parse_commands(r.child("commands"), c.commands, errors);
    parse_ota(r.child("ota"), c.ota, errors);
    parse_credentials(r.child("credentials"), c.credentials, errors);
    if (const ConfigNode* ctl = r.child("control")) {
        MapReader cr(*ctl, errors);
        c.control.enabled = cr.boolean("enabled", c.control.enabled);
        c.control.socket = path_value(cr, "socket", false, c.control.socket);
        c.control.admin_group = cr.string("admin_group", c.control.admin_group);
        cr.finish();
    }
    if (const ConfigNode* h = r.child("helper")) {
        MapReader hr(*h, errors);
        c.helper.socket = path_value(hr, "socket", false, c.helper.socket);
        hr.finish();
    }
    if (r.child("devices") != nullptr) parse_devices(root, c.devices, errors);
    r.finish();
    return c;
}

void parse_devices(const ConfigNode& root, std::vector<DeviceEntry>& out, ConfigErrors& errors) {
    const ConfigNode* list = root.find("devices");
    if (list == nullptr || list->is_null()) return;
    if (!list->is_sequence()) {
        errors.add(*list, "expected a list of devices");
        return;
    }
    for (const ConfigNode& item : list->items) {
        MapReader r(item, errors);
        if (!r.ok()) continue;
        DeviceEntry d;
        d.node = item;
        auto name = r.string("name");
        check_identifier(r, "name", name, true, "device name");
        auto driver = r.string("driver");
        check_identifier(r, "driver", driver, false, "driver name");
        d.enabled = r.boolean("enabled", true);
        if (const ConfigNode* report = r.child("report")) d.report = parse_report(*report, errors);
        // Left over only where no template was merged (devices.d expands them, see
        // device_templates.hpp): in the main file, or a fragment entry without `template`.
        if (const ConfigNode* t = r.child("template")) {
            errors.add(*t, "templates are only available to devices in devices.d files");
        }
        if (const ConfigNode* t = r.child("points_remove")) {
            errors.add(*t, "points_remove needs a template to remove points from");
        }
        // Everything else belongs to the driver, which rejects what it does not know.
        d.settings.kind = ConfigNode::Kind::map;
        d.settings.mark = item.mark;
        d.settings.path = item.path;
        for (const auto& entry : item.entries) {
            if (entry.key != "name" && entry.key != "driver" && entry.key != "enabled" &&
                entry.key != "report" && entry.key != "template" && entry.key != "points_remove")
                d.settings.entries.push_back(entry);
        }
        if (!name || !driver) continue;
        bool duplicate = false;
        for (const DeviceEntry& other : out) {
            if (other.name == *name) {
                errors.add(*item.find("name"), "duplicate device name \"" + *name +
                                                   "\" (first defined at " + other.node.mark.file +
                                                   ":" + std::to_string(other.node.mark.line) +
                                                   ")");
                duplicate = true;
            }
        }
        if (duplicate) continue;
        d.name = *name;
        d.driver = *driver;
        out.push_back(std::move(d));
    }
}

}  // namespace lintel::core
