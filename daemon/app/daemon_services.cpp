// DaemonServices: status, points, audit and the few actions commands and lintelctl may take.
#include "app/daemon_services.hpp"

#include <chrono>

#include "app/app.hpp"
#include "app/daemon.hpp"
#include "commands/certificate.hpp"
#include "core/logging.hpp"

namespace lintel::app {

using json = nlohmann::json;

namespace {

json value_json(const sdk::Value& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

json point_json(const sdk::PointValue& p) {
    return json{{"device", p.device},
                {"point", p.point},
                {"value", value_json(p.value)},
                {"unit", p.unit},
                {"quality", std::string(sdk::to_string(p.quality))},
                {"ts", p.ts_ms}};
}

std::string level_name(sdk::LogLevel l) { return std::string(core::to_string(l)); }

// Days until the gateway's certificate expires (negative: expired), or null when unknown.
json certificate_json(const core::Config& c) {
    auto cert = commands::Certificate::from_file(c.uplink.tls.cert_file);
    if (!cert) return json{{"error", cert.error().message}};
    auto end = cert->not_after();
    if (!end) return json{{"error", end.error().message}};
    const auto left = *end - std::chrono::system_clock::now();
    return json{
        {"not_after",
         std::chrono::duration_cast<std::chrono::milliseconds>(end->time_since_epoch()).count()},
        {"expires_in_days", std::chrono::duration_cast<std::chrono::hours>(left).count() / 24}};
}

}  // namespace

json DaemonServices::status_document() const {
    const auto s = d_.store_ ? d_.store_->stats() : store::BufferStats{};
    json devices = json::array();
    std::uint64_t suppressed = 0;
    if (d_.devices_) {
        for (const auto& st : d_.devices_->statuses()) {
            devices.push_back({{"name", st.name},
                               {"driver", st.driver},
                               {"health", std::string(sdk::to_string(st.health))},
                               {"detail", st.detail},
                               {"points_published", st.points_published},
                               {"points_suppressed", st.points_suppressed}});
            suppressed += st.points_suppressed;
        }
    }
    json link{
        {"state", d_.uplink_ ? std::string(uplink::to_string(d_.uplink_->state()))
                             : (d_.provisioning_note_.empty() ? "stopped" : "not-provisioned")},
        {"reason", d_.uplink_ ? d_.uplink_->link_state_string() : d_.provisioning_note_}};
    if (d_.uplink_) {
        const auto c = d_.uplink_->counters();
        link["connects"] = c.connects;
        link["failed_attempts"] = c.failed_attempts;  // TLS and connection failures, counted
    }
    json out{{"gateway_id", d_.config_.gateway_id},
             {"version", version_string()},
             {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - d_.started_at_)
                              .count()},
             {"link", std::move(link)},
             {"queue", {{"points", s.queued_points}, {"bytes", s.queued_bytes}}},
             {"drops", s.dropped_total + s.ingest_overflow},
             {"devices", std::move(devices)},
             {"points_suppressed", suppressed},  // report by exception, all devices
             {"certificate", d_.identity_                             ? d_.identity_->status()
                             : d_.config_.missing_credentials.empty() ? certificate_json(d_.config_)
                                                                      : json(nullptr)}};
    if (d_.command_service_) {
        json summary = d_.command_service_->summary();
        out["last_command"] = summary["last"];
        out["commands"] = std::move(summary);
    } else {
        out["last_command"] = nullptr;
    }
    // The current or last OTA update (null: OTA not enabled).
    out["ota"] = d_.ota_ ? d_.ota_->status() : json(nullptr);
    // Delivered 802.1X / Wi-Fi credentials per interface (null: no credentials: section).
    out["credentials"] = d_.credentials_ ? d_.credentials_->status() : json(nullptr);
    return out;
}

json DaemonServices::points_document(const std::optional<std::string>& device) const {
    json points = json::array();
    for (const auto& [key, value] : d_.latest_) {
        if (device && key.first != *device) continue;
        points.push_back(point_json(value));
    }
    return json{{"points", std::move(points)}};
}

json DaemonServices::redacted_config() {
    // Paths, names and limits only: the files' contents (keys) never leave the box, and the
    // configuration holds no password today. New secret-bearing keys must be left out here.
    const auto& c = d_.config_;
    json devices = json::array();
    for (const auto& dev : c.devices) {
        devices.push_back({{"name", dev.name}, {"driver", dev.driver}, {"enabled", dev.enabled}});
    }
    json keys = json::array();
    for (const auto& k : c.commands.keys) {
        keys.push_back({{"id", k.id}, {"principal", k.principal}, {"revoked", k.revoked}});
    }
    // Which interfaces take delivered credentials; the bundles themselves never appear here.
    json interfaces = json::array();
    for (const auto& i : c.credentials.interfaces) {
        interfaces.push_back({{"name", i.name}, {"type", i.type}});
    }
    return json{
        {"gateway", {{"id", c.gateway_id}}},
        {"log", {{"level", level_name(c.log_level)}}},
        {"uplink",
         {{"host", c.uplink.host},
          {"port", c.uplink.port},
          {"protocol", c.uplink.protocol},
          {"topic_prefix", c.uplink.topic_prefix}}},
        {"buffer", {{"max_bytes", c.buffer.max_bytes}, {"synchronous", c.buffer.synchronous}}},
        {"commands", {{"enabled", c.commands.enabled}, {"keys", std::move(keys)}}},
        {"credentials",
         {{"enabled", c.credentials.enabled}, {"interfaces", std::move(interfaces)}}},
        {"devices", std::move(devices)}};
}

std::optional<sdk::WritablePoint> DaemonServices::writable(std::string_view device,
                                                           std::string_view point) {
    if (!d_.devices_) return std::nullopt;
    const auto all = d_.devices_->writable_points();
    auto it = all.find(std::string(device));
    if (it == all.end()) return std::nullopt;
    for (const auto& w : it->second) {
        if (w.point == point) return w;
    }
    return std::nullopt;
}

std::optional<json> DaemonServices::latest_value(std::string_view device, std::string_view point) {
    auto it = d_.latest_.find({std::string(device), std::string(point)});
    if (it == d_.latest_.end()) return std::nullopt;
    return point_json(it->second);
}

bool DaemonServices::has_device(std::string_view device) {
    return d_.devices_ && d_.devices_->find(std::string(device)) != nullptr;
}

void DaemonServices::write_point(const std::string& device, const std::string& point,
                                 const sdk::Value& value,
                                 std::function<void(Expected<void>)> done) {
    sdk::Device* dev = d_.devices_ ? d_.devices_->find(device) : nullptr;
    if (dev == nullptr) {
        done(make_error("commands.no_device", "no running device \"" + device + "\""));
        return;
    }
    dev->write(point, value, std::move(done));
}

void DaemonServices::set_log_level(sdk::LogLevel level) {
    d_.log_.set_level(level);
    d_.config_.log_level = level;
}

void DaemonServices::reload_config(std::function<void(Expected<json>)> done) {
    sdk::ConfigErrors errors;
    if (auto r = d_.apply_reload(errors); !r) {
        done(make_error("config.invalid", errors.empty() ? r.error().message : errors.to_string()));
        return;
    }
    done(json{{"reloaded", true}, {"devices", d_.devices_ ? d_.devices_->device_count() : 0}});
}

Expected<void> DaemonServices::restart_device(const std::string& device) {
    if (!d_.devices_) return make_error("device.unknown", "no devices are running");
    // Its latest values are the old device's; read-point answers again after the next poll.
    std::erase_if(d_.latest_, [&](const auto& kv) { return kv.first.first == device; });
    return d_.devices_->restart(device);
}

void DaemonServices::apply_config(commands::ConfigChange change,
                                  std::function<void(commands::ConfigChangeOutcome)> done) {
    if (!d_.applier_) {
        done(commands::ConfigChangeOutcome{commands::ConfigChangeOutcome::Status::failed,
                                           "cmd.failed",
                                           "linteld is not ready",
                                           {}});
        return;
    }
    d_.applier_->apply(std::move(change), std::move(done));
}

const core::Config& DaemonServices::running_config() const { return d_.config_; }

const std::filesystem::path& DaemonServices::config_path() const { return d_.options_.config_path; }

const std::filesystem::path& DaemonServices::default_plugin_dir() const {
    return d_.options_.default_plugin_dir;
}

void DaemonServices::validate_candidate(const core::Config& candidate, sdk::ConfigErrors& errors) {
    (void)d_.build_devices(candidate, errors);  // built to be checked, dropped unstarted
}

Expected<void> DaemonServices::reload(sdk::ConfigErrors& errors) { return d_.apply_reload(errors); }

bool DaemonServices::uplink_connected() const {
    return d_.uplink_ && !d_.swapping_uplink_ &&
           d_.uplink_->state() == uplink::LinkState::connected;
}

std::string DaemonServices::uplink_summary() const {
    if (d_.uplink_) return d_.uplink_->link_state_string();
    return d_.provisioning_note_.empty() ? "no session" : d_.provisioning_note_;
}

std::vector<core::DeviceStatus> DaemonServices::device_statuses() const {
    return d_.devices_ ? d_.devices_->statuses() : std::vector<core::DeviceStatus>{};
}

void DaemonServices::queue(Reply reply) {
    const auto s = d_.store_ ? d_.store_->stats() : store::BufferStats{};
    json out{{"points", s.queued_points},
             {"bytes", s.queued_bytes},
             {"drops", s.dropped_total + s.ingest_overflow},
             {"in_flight", d_.uplink_ ? d_.uplink_->counters().telemetry.published_batches -
                                            d_.uplink_->counters().telemetry.acked_batches
                                      : 0}};
    if (!d_.command_store_) {
        reply(std::move(out));
        return;
    }
    d_.command_store_->stats([reply, out](Expected<store::CommandDbStats> c) mutable {
        if (c) {
            out["control_messages"] = c->outbox_messages;
            out["control_messages_dropped"] = c->outbox_dropped;
            out["audit_records"] = c->audit_rows;
            out["audit_dropped"] = c->audit_dropped;
        }
        reply(std::move(out));
    });
}

void DaemonServices::points(std::optional<std::string> device, Reply reply) {
    if (device && !has_device(*device)) {
        reply(make_error("control.not_found", "no device \"" + *device + "\""));
        return;
    }
    reply(points_document(device));
}

void DaemonServices::audit(std::int64_t since_ms, std::uint32_t limit, Reply reply) {
    if (!d_.command_store_) {
        reply(make_error("control.internal", "the audit log is not open"));
        return;
    }
    d_.command_store_->audit_since(
        since_ms, static_cast<std::size_t>(limit) + 1,
        [reply, limit](Expected<std::vector<store::AuditRecord>> rows) {
            if (!rows) {
                reply(make_error("control.internal", rows.error().message));
                return;
            }
            json entries = json::array();
            for (std::size_t i = 0; i < rows->size() && i < limit; ++i) {
                const auto& a = (*rows)[i];
                entries.push_back(
                    {{"ts", a.ts_ms},
                     {"source", a.source},
                     {"actor", a.principal.empty() ? a.kid : a.principal},
                     {"action", a.action},
                     {"outcome",
                      a.reason.empty() ? a.decision : a.decision + " (" + a.reason + ")"},
                     {"detail", a.detail}});
            }
            reply(json{{"entries", std::move(entries)}, {"more", rows->size() > limit}});
        });
}

void DaemonServices::check_config(Reply reply) {
    const auto report = collect_config_check(d_.options_);
    json errors = json::array();
    for (const auto& e : report.errors.issues()) errors.push_back(e.to_string());
    reply(json{{"ok", report.errors.empty()},
               {"errors", std::move(errors)},
               {"warnings", report.warnings}});
}

void DaemonServices::reload(Reply reply) {
    reload_config([reply](Expected<json> r) { reply(std::move(r)); });
}

void DaemonServices::set_log_level(sdk::LogLevel level, Reply reply) {
    const std::string previous = level_name(d_.config_.log_level);
    set_log_level(level);
    reply(json{{"level", level_name(level)}, {"previous", previous}});
}

// The ota-* commands: refused with ota.disabled when the gateway has no `ota:` section (or its
// OTA state could not be opened at start: logged then).
namespace {
Expected<json> ota_unavailable() {
    return make_error("ota.disabled",
                      "OTA updates are not enabled on this gateway (no ota: section in its "
                      "configuration, or ota.db could not be opened: see linteld's log)");
}
}  // namespace

Expected<json> DaemonServices::ota_update(const std::string& command_id,
                                          const std::string& manifest) {
    if (!d_.ota_) return ota_unavailable();
    return d_.ota_->begin(command_id, manifest);
}
Expected<json> DaemonServices::ota_abort(const std::string& why) {
    if (!d_.ota_) return ota_unavailable();
    return d_.ota_->abort(why);
}
Expected<json> DaemonServices::renew_certificate(const std::string& why) {
    if (!d_.identity_)
        return make_error("cert.disabled",
                          "the certificate lifecycle is not available (see linteld's log)");
    return d_.identity_->renew(why);
}
Expected<json> DaemonServices::set_crl(const std::string& pem) {
    if (!d_.identity_)
        return make_error("cert.disabled",
                          "the certificate lifecycle is not available (see linteld's log)");
    return d_.identity_->set_crl(pem);
}
Expected<json> DaemonServices::ota_status() {
    if (!d_.ota_) return ota_unavailable();
    return d_.ota_->status();
}

void DaemonServices::set_credentials(const std::string& command_id, const std::string& kid,
                                     const std::string& principal, std::string envelope,
                                     std::function<void(commands::ConfigChangeOutcome)> done) {
    if (!d_.credentials_) {
        return done(commands::ConfigChangeOutcome{
            commands::ConfigChangeOutcome::Status::refused, "cred.disabled",
            "delivered credentials are not enabled on this gateway (no credentials: section in "
            "its configuration, or it could not start: see linteld's log)",
            json::object()});
    }
    d_.credentials_->apply(CredentialsRequest{command_id, kid, principal, std::move(envelope)},
                           std::move(done));
}

}  // namespace lintel::app
