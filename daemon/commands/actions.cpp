// Argument checks and execution of each action. Arguments are strict: unknown keys and wrong
// types are refused, so a typo in the cloud never does something else than asked.
#include "commands/actions.hpp"

#include <set>

#include "commands/reason_codes.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::commands {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxAuditRows = 500;  // per get-audit answer: results stay below 128 KiB

ActionOutcome ok(json output, std::string detail) {
    return ActionOutcome{ResultStatus::ok, std::nullopt, std::move(output), std::move(detail)};
}
ActionOutcome rejected(std::string_view code, std::string detail) {
    return ActionOutcome{ResultStatus::rejected, std::string(code), json{{"error", detail}},
                         detail};
}
ActionOutcome failed(std::string_view code, std::string detail) {
    return ActionOutcome{ResultStatus::failed, std::string(code), json{{"error", detail}}, detail};
}

// Checks that args has exactly the allowed keys; a message naming the first offender.
std::optional<std::string> unknown_key(const json& args,
                                       std::initializer_list<std::string_view> keys) {
    for (const auto& [k, v] : args.items()) {
        bool known = false;
        for (auto allowed : keys) known |= k == allowed;
        if (!known) return "args." + k + ": unknown argument";
    }
    return std::nullopt;
}

std::optional<std::string> string_arg(const json& args, std::string_view key) {
    auto it = args.find(std::string(key));
    if (it == args.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::optional<sdk::Value> value_of(const json& v) {
    if (v.is_boolean()) return sdk::Value(v.get<bool>());
    if (v.is_number_integer()) return sdk::Value(v.get<std::int64_t>());
    if (v.is_number_float()) return sdk::Value(v.get<double>());
    if (v.is_string()) return sdk::Value(v.get<std::string>());
    return std::nullopt;
}

std::optional<sdk::LogLevel> level_of(const std::string& s) {
    if (s == "debug") return sdk::LogLevel::debug;
    if (s == "info") return sdk::LogLevel::info;
    if (s == "warning") return sdk::LogLevel::warning;
    if (s == "error") return sdk::LogLevel::error;
    return std::nullopt;
}

bool valid_who(const std::string& who) {
    return (who.rfind("key:", 0) == 0 && who.size() > 4) ||
           (who.rfind("principal:", 0) == 0 && who.size() > 10);
}

json audit_json(const store::AuditRecord& a) {
    return json{{"id", a.id},         {"ts", a.ts_ms},
                {"source", a.source}, {"principal", a.principal},
                {"kid", a.kid},       {"command_id", a.command_id},
                {"action", a.action}, {"decision", a.decision},
                {"reason", a.reason}, {"detail", a.detail}};
}

using Done = std::function<void(ActionOutcome)>;

void device_point_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    const auto device = *string_arg(c.args, "device");
    const auto point = *string_arg(c.args, "point");
    if (!ctx.ops.has_device(device)) {
        done(rejected(reason::bad_args, "no device \"" + device + "\""));
        return;
    }
    if (c.action == "read-point") {
        if (auto bad = unknown_key(c.args, {"device", "point"})) {
            done(rejected(reason::bad_args, *bad));
            return;
        }
        auto v = ctx.ops.latest_value(device, point);
        if (!v) {
            done(failed(reason::failed, device + "/" + point + " has no value yet"));
            return;
        }
        done(ok(*v, "read " + device + "/" + point));
        return;
    }
    // write-point
    if (auto bad = unknown_key(c.args, {"device", "point", "value"})) {
        done(rejected(reason::bad_args, *bad));
        return;
    }
    auto it = c.args.find("value");
    std::optional<sdk::Value> value = it == c.args.end() ? std::nullopt : value_of(*it);
    if (!value) {
        done(rejected(reason::bad_args, "args.value: a boolean, number or string is required"));
        return;
    }
    const auto decision = check_write(ctx.ops.writable(device, point), device, point, *value);
    if (!decision.allowed) {
        done(rejected(decision.reason, decision.message));
        return;
    }
    const std::string what = "wrote " + it->dump() + " to " + device + "/" + point;
    ctx.ops.write_point(
        device, point, *value, [done = std::move(done), what, device, point](Expected<void> r) {
            if (!r) {
                done(failed(reason::failed,
                            "writing " + device + "/" + point + " failed: " + r.error().message));
                return;
            }
            done(ok(json{{"written", true}}, what));
        });
}

void shun_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    if (auto bad = unknown_key(c.args, {"who", "for"})) {
        done(rejected(reason::bad_args, *bad));
        return;
    }
    auto who = string_arg(c.args, "who");
    if (!who || !valid_who(*who)) {
        done(rejected(reason::bad_args, "args.who: \"key:<kid>\" or \"principal:<name>\""));
        return;
    }
    if (c.action == "unshun") {
        if (c.args.contains("for")) {
            done(rejected(reason::bad_args, "args.for: not an argument of unshun"));
            return;
        }
        const bool was = ctx.policy.unshun(*who);
        ctx.store.remove_shun(*who);
        done(ok(json{{"who", *who}, {"was_shunned", was}}, "unshunned " + *who));
        return;
    }
    std::chrono::milliseconds duration = ctx.settings.security.shun_for;
    if (auto f = string_arg(c.args, "for")) {
        std::string why;
        auto d = sdk::parse_duration(*f, why);
        if (!d || *d <= std::chrono::milliseconds(0) || *d > std::chrono::hours(24 * 30)) {
            done(rejected(reason::bad_args, "args.for: a duration up to 30d, e.g. 10m"));
            return;
        }
        duration = *d;
    } else if (c.args.contains("for")) {
        done(rejected(reason::bad_args, "args.for: a duration string, e.g. \"10m\""));
        return;
    }
    ctx.policy.shun(*who, ctx.now + duration);
    ctx.store.save_shun(*who, ctx.now_ms + duration.count());
    done(ok(json{{"who", *who}, {"for_s", duration.count() / 1000}},
            "shunned " + *who + " for " + std::to_string(duration.count() / 1000) + " s"));
}

// apply-config's and set-credentials' outcome as a result: refused before anything was written
// is rejected, anything else that did not apply is failed.
ActionOutcome outcome_of(ConfigChangeOutcome o) {
    using S = ConfigChangeOutcome::Status;
    if (o.status == S::applied) return ok(std::move(o.output), o.message);
    json output = o.output.is_object() ? std::move(o.output) : json::object();
    output["error"] = o.message;
    return ActionOutcome{o.status == S::refused ? ResultStatus::rejected : ResultStatus::failed,
                         o.reason, std::move(output), o.message};
}

constexpr std::chrono::milliseconds kMinConfirm{10'000};
constexpr std::chrono::milliseconds kMaxConfirm{1'800'000};

void apply_config_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    if (auto bad = unknown_key(c.args, {"file", "content", "remove", "confirm_within"})) {
        done(rejected(reason::bad_args, *bad));
        return;
    }
    ConfigChange change;
    auto file = string_arg(c.args, "file");
    if (!file || !valid_config_file_name(*file)) {
        done(rejected(reason::bad_args,
                      "args.file: \"lintel.yaml\" or \"devices.d/<name>.yaml\" is required"));
        return;
    }
    change.file = *file;
    const auto content = c.args.find("content");
    const auto remove = c.args.find("remove");
    if ((content == c.args.end()) == (remove == c.args.end())) {
        done(rejected(reason::bad_args, "args: exactly one of content and remove is required"));
        return;
    }
    if (content != c.args.end()) {
        if (!content->is_string()) {
            done(rejected(reason::bad_args, "args.content: the whole file, as a string"));
            return;
        }
        change.content = content->get<std::string>();
    } else if (!remove->is_boolean() || !remove->get<bool>() || change.file == "lintel.yaml") {
        done(rejected(reason::bad_args, "args.remove: true, and only for a devices.d file"));
        return;
    }
    if (auto it = c.args.find("confirm_within"); it != c.args.end()) {
        std::string why;
        auto d = it->is_string() ? sdk::parse_duration(it->get<std::string>(), why) : std::nullopt;
        if (!d || *d < kMinConfirm || *d > kMaxConfirm) {
            done(rejected(reason::bad_args, "args.confirm_within: a duration from 10s to 30m"));
            return;
        }
        change.confirm_within = *d;
    }
    change.command_id = c.id;
    change.kid = c.kid;
    change.principal = ctx.principal;
    ctx.ops.apply_config(std::move(change), [done = std::move(done)](ConfigChangeOutcome o) {
        done(outcome_of(std::move(o)));
    });
}

// The largest signed manifest ota-update carries (the manifest's own parser bounds it too).
constexpr std::size_t kMaxManifestBytes = 64 * 1024;
// ota.* reasons that mean "the update could not run" rather than "you may not": failed.
bool is_ota_failure(std::string_view code) { return code == "ota.store"; }

// The outcome of an action the daemon answers at once: its error code is the reason, failed
// when `is_failure` says the action could not run, rejected otherwise.
void answer_with(Done& done, Expected<json> r, const std::string& what,
                 bool (*is_failure)(std::string_view)) {
    if (r) return done(ok(std::move(*r), what));
    const auto& e = r.error();
    done(is_failure(e.code) ? failed(e.code, e.message) : rejected(e.code, e.message));
}

void ota_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    const json& args = c.args;
    auto answer = [&](Expected<json> r, const std::string& what) {
        answer_with(done, std::move(r), what, is_ota_failure);
    };
    if (c.action == "ota-update") {
        if (auto bad = unknown_key(args, {"manifest"}))
            return done(rejected(reason::bad_args, *bad));
        auto manifest = string_arg(args, "manifest");
        if (!manifest || manifest->empty() || manifest->size() > kMaxManifestBytes) {
            return done(rejected(reason::bad_args,
                                 "args.manifest: the signed manifest (lintel-sign manifest), at "
                                 "most 64 KiB"));
        }
        return answer(ctx.ops.ota_update(c.id, *manifest), "OTA update started");
    }
    if (c.action == "ota-abort") {
        if (auto bad = unknown_key(args, {"reason"})) return done(rejected(reason::bad_args, *bad));
        std::string why = "ota-abort by " + ctx.principal;
        if (args.contains("reason")) {
            auto text = string_arg(args, "reason");
            if (!text || text->size() > 200) {
                return done(rejected(reason::bad_args, "args.reason: text, at most 200 bytes"));
            }
            why += ": " + *text;
        }
        return answer(ctx.ops.ota_abort(why), "OTA update aborted");
    }
    if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
    answer(ctx.ops.ota_status(), "OTA status sent");
}

// The largest CRL set-crl carries (the CRL checker bounds it at 1 MiB; MQTT brokers far lower).
constexpr std::size_t kMaxCrlBytes = 96 * 1024;
// cert.* reasons that mean "could not be done" rather than "refused": failed.
bool is_cert_failure(std::string_view code) {
    return code == "cert.store_failed" || code == "cert.key_failed";
}

void certificate_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    const json& args = c.args;
    auto answer = [&](Expected<json> r, const std::string& what) {
        answer_with(done, std::move(r), what, is_cert_failure);
    };
    if (c.action == "renew-certificate") {
        if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
        return answer(ctx.ops.renew_certificate("renew-certificate by " + ctx.principal),
                      "certificate renewal started");
    }
    if (auto bad = unknown_key(args, {"crl"})) return done(rejected(reason::bad_args, *bad));
    auto crl = string_arg(args, "crl");
    if (!crl || crl->empty() || crl->size() > kMaxCrlBytes)
        return done(rejected(reason::bad_args, "args.crl: one PEM X509 CRL, at most 96 KiB"));
    answer(ctx.ops.set_crl(*crl), "CRL updated");
}

// The envelope lintel-sign credentials prints: standard base64 of at most 90 KiB (the credentials
// module checks the rest, and says cred.too_large beyond that bound).
constexpr std::size_t kMaxEnvelopeChars = 90 * 1024;

void set_credentials_action(const CommandEnvelope& c, ActionContext& ctx, Done& done) {
    if (auto bad = unknown_key(c.args, {"envelope"})) return done(rejected(reason::bad_args, *bad));
    auto envelope = string_arg(c.args, "envelope");
    if (!envelope || envelope->empty() || envelope->size() > kMaxEnvelopeChars) {
        return done(rejected(reason::bad_args,
                             "args.envelope: the encrypted bundle (lintel-sign credentials), "
                             "base64, at most 90 KiB"));
    }
    ctx.ops.set_credentials(
        c.id, c.kid, ctx.principal, std::move(*envelope),
        [done = std::move(done)](ConfigChangeOutcome o) { done(outcome_of(std::move(o))); });
}

}  // namespace

bool valid_config_file_name(std::string_view file) {
    if (file == "lintel.yaml") return true;
    constexpr std::string_view dir = "devices.d/";
    constexpr std::string_view ext = ".yaml";
    if (!file.starts_with(dir) || !file.ends_with(ext)) return false;
    const auto name = file.substr(dir.size());
    if (name.size() <= ext.size() || name.size() > 64) return false;  // as lintel-helper
    const auto is_alnum = [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    };
    if (!is_alnum(name.front())) return false;
    for (char ch : name) {
        if (!is_alnum(ch) && ch != '_' && ch != '.' && ch != '-') return false;
    }
    return name.find("..") == std::string_view::npos;
}

Expected<Target> target_of(const CommandEnvelope& c) {
    Target t;
    t.action = c.action;
    static const std::set<std::string, std::less<>> with_point{"read-point", "write-point"};
    if (with_point.contains(c.action) || c.action == "restart-driver") {
        auto device = string_arg(c.args, "device");
        if (!device || device->empty()) {
            return make_error(std::string(reason::bad_args),
                              "args.device: a device name is required");
        }
        t.device = *device;
        if (with_point.contains(c.action)) {
            auto point = string_arg(c.args, "point");
            if (!point || point->empty()) {
                return make_error(std::string(reason::bad_args),
                                  "args.point: a point name is required");
            }
            t.point = *point;
        }
    }
    return t;
}

void run_action(const CommandEnvelope& c, ActionContext ctx, Done done) {
    const json& args = c.args;
    if (c.action == "ping") {
        if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
        return done(ok(json{{"pong", true}, {"ts", ctx.now_ms}}, "pong"));
    }
    if (c.action == "get-status") {
        if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
        return done(ok(ctx.ops.status(), "status sent"));
    }
    if (c.action == "get-config") {
        if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
        return done(ok(ctx.ops.redacted_config(), "configuration sent (secrets left out)"));
    }
    if (c.action == "read-point" || c.action == "write-point") {
        return device_point_action(c, ctx, done);
    }
    if (c.action == "set-log-level") {
        if (auto bad = unknown_key(args, {"level"})) return done(rejected(reason::bad_args, *bad));
        auto level = string_arg(args, "level");
        auto parsed = level ? level_of(*level) : std::nullopt;
        if (!parsed) {
            return done(rejected(reason::bad_args, "args.level: debug, info, warning or error"));
        }
        ctx.ops.set_log_level(*parsed);
        return done(ok(json{{"level", *level}}, "log level set to " + *level));
    }
    if (c.action == "reload-config") {
        if (auto bad = unknown_key(args, {})) return done(rejected(reason::bad_args, *bad));
        return ctx.ops.reload_config([done = std::move(done)](Expected<json> r) {
            if (!r) return done(failed(reason::failed, "reload rejected: " + r.error().message));
            done(ok(*r, "configuration reloaded"));
        });
    }
    if (c.action == "apply-config") return apply_config_action(c, ctx, done);
    if (c.action == "set-credentials") return set_credentials_action(c, ctx, done);
    if (c.action == "restart-driver") {
        if (auto bad = unknown_key(args, {"device"})) return done(rejected(reason::bad_args, *bad));
        const auto device = *string_arg(args, "device");
        if (!ctx.ops.has_device(device)) {
            return done(rejected(reason::bad_args, "no device \"" + device + "\""));
        }
        if (auto r = ctx.ops.restart_device(device); !r) {
            return done(failed(reason::failed, r.error().message));
        }
        return done(ok(json{{"restarted", device}}, "restarted device " + device));
    }
    if (c.action == "shun" || c.action == "unshun") return shun_action(c, ctx, done);
    if (c.action == "ota-update" || c.action == "ota-abort" || c.action == "ota-status") {
        return ota_action(c, ctx, done);
    }
    if (c.action == "renew-certificate" || c.action == "set-crl")
        return certificate_action(c, ctx, done);
    if (c.action == "get-audit") {
        if (auto bad = unknown_key(args, {"since", "limit"}))
            return done(rejected(reason::bad_args, *bad));
        std::int64_t since = 0;
        std::size_t limit = 100;
        if (auto it = args.find("since"); it != args.end()) {
            if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
                return done(rejected(reason::bad_args, "args.since: Unix ms, an integer >= 0"));
            since = it->get<std::int64_t>();
        }
        if (auto it = args.find("limit"); it != args.end()) {
            if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
                it->get<std::int64_t>() > static_cast<std::int64_t>(kMaxAuditRows))
                return done(rejected(reason::bad_args, "args.limit: 1-500"));
            limit = static_cast<std::size_t>(it->get<std::int64_t>());
        }
        return ctx.store.audit_since(since, limit, [done = std::move(done)](auto r) {
            if (!r)
                return done(failed(reason::failed, "audit log unreadable: " + r.error().message));
            json rows = json::array();
            for (const auto& a : *r) rows.push_back(audit_json(a));
            const auto n = rows.size();
            done(ok(json{{"records", std::move(rows)}},
                    "sent " + std::to_string(n) + " audit records"));
        });
    }
    if (c.action == "revoke-key") {
        if (auto bad = unknown_key(args, {"kid"})) return done(rejected(reason::bad_args, *bad));
        auto kid = string_arg(args, "kid");
        if (!kid || !ctx.trust.find(*kid)) {
            return done(rejected(reason::bad_args, "args.kid: a key of the trust store"));
        }
        ctx.trust.revoke(*kid);  // effective at once; persisted for restarts below
        const std::string k = *kid;
        return ctx.store.revoke_key(k, ctx.now_ms, [done = std::move(done), k](Expected<void> r) {
            if (!r) {
                return done(
                    failed(reason::failed, "key " + k +
                                               " is revoked until restart, but could not be "
                                               "recorded: " +
                                               r.error().message));
            }
            done(ok(json{{"revoked", k}}, "revoked key " + k));
        });
    }
    done(rejected(reason::unauthorised, "unknown action \"" + c.action + "\""));
}

}  // namespace lintel::commands
