// CredentialsRuntime (credentials_runtime.hpp): the set-credentials flow with its rollback, the
// interfaces' state, and what the cloud and lintelctl see of it.
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "app/credentials_runtime.hpp"

#include "credentials/envelope.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials/sealing_key.hpp"
#include "helper/helper_client.hpp"
#include "helper/wpa_request.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::app {

namespace {
using json = nlohmann::json;
using Outcome = commands::ConfigChangeOutcome;
namespace apply_code = credentials::apply;

// lintel-helper writes a few small files: seconds, unless it hangs.
constexpr auto k_helper_deadline = std::chrono::seconds(15);
// After a failure the authenticator ignores the port for a while (hostapd 5 s, switches up to
// 60 s) and loses the EAPOL-Start sent meanwhile; wpa_supplicant's next one comes after
// startPeriod (30 s by default). A short period makes the rollback come back soon after that.
constexpr std::string_view k_rollback_start_period = "2";

Outcome refused(std::string_view code, std::string message) {
    return Outcome{Outcome::Status::refused, std::string(code), std::move(message), json::object()};
}
Outcome failed(std::string_view code, std::string message, json output = json::object()) {
    return Outcome{Outcome::Status::failed, std::string(code), std::move(message),
                   std::move(output)};
}

wpa::Medium medium_of(credentials::Interface kind) {
    return kind == credentials::Interface::wired ? wpa::Medium::wired : wpa::Medium::wireless;
}

wpa::Method method_of(credentials::BundleType type) {
    switch (type) {
        case credentials::BundleType::eap_tls:
            return wpa::Method::eap_tls;
        case credentials::BundleType::peap:
            return wpa::Method::peap;
        case credentials::BundleType::ttls:
            return wpa::Method::ttls;
        case credentials::BundleType::wifi_psk:
            return wpa::Method::wifi_psk;
    }
    return wpa::Method::eap_tls;
}

helper::WpaConfigRequest write_request(const credentials::Bundle& b, const std::string& file) {
    helper::WpaConfigRequest r;
    r.op = helper::WpaConfigRequest::Op::write;
    r.file = file;
    auto& n = r.network;
    n.medium = medium_of(b.interface);
    n.method = method_of(b.type);
    n.identity = b.identity;
    n.anonymous_identity = b.anonymous_identity;
    n.server_domain = b.server_domain;
    n.phase2 = b.phase2;
    n.password = std::string(b.password.reveal());
    n.ssid = b.ssid;
    n.key_mgmt = b.key_mgmt;
    n.psk = std::string(b.psk.reveal());
    r.ca_cert = b.ca_cert;
    if (b.type == credentials::BundleType::eap_tls) {
        r.client_cert = b.client_cert;
        r.client_key = std::string(b.client_key.reveal());
    }
    return r;
}

std::int64_t since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t)
        .count();
}

}  // namespace

json wpa_write_params(const credentials::Bundle& bundle, const std::string& file) {
    return helper::wpa_config_params(write_request(bundle, file));
}

Expected<void> check_renderable(const credentials::Bundle& bundle) {
    const auto r = write_request(bundle, "check.conf");
    // The helper's real paths are longer than these only by its directory; the line limit is
    // checked again there, before anything is written.
    wpa::CertificatePaths paths{"/etc/wpa_supplicant/x.conf.d/ca-0000000000000000.pem", {}, {}};
    if (r.client_cert) {
        paths.client_cert = "/etc/wpa_supplicant/x.conf.d/client-0000000000000000.pem";
        paths.private_key = "/etc/wpa_supplicant/x.conf.d/key-0000000000000000.pem";
    }
    auto text = wpa::render_config(wpa::GlobalSettings{}, r.network, paths);
    if (!text) return std::unexpected(text.error());
    return {};
}

struct CredentialsRuntime::Interface {
    core::CredentialsInterface config;
    std::unique_ptr<wpa::WpaControl> wpa;
    std::optional<credentials::BundleMetadata> meta;  // the bundle in effect, when known
    std::string state = "unknown";  // authorized | authenticating | failed | unknown
    std::int64_t since_ms = 0;
    std::optional<std::string> detail;  // why failed
    json last_result = nullptr;
    bool applying = false;  // events do not change the state while set-credentials decides it
};

struct CredentialsRuntime::Apply {
    CredentialsRequest request;
    Done done;
    Interface* iface = nullptr;
    credentials::Bundle bundle;
    std::optional<credentials::BundleMetadata> previous_meta;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::optional<Error> cause;  // why the new credentials were rolled back
    std::chrono::steady_clock::time_point rollback_started;
};

Expected<std::unique_ptr<CredentialsRuntime>> CredentialsRuntime::start(
    asio::any_io_executor executor, const core::CredentialsSettings& settings,
    const core::TlsConfig& tls, std::filesystem::path helper_socket, CredentialsHooks hooks,
    sdk::Logger& log) {
    if (auto ok = credentials::SealedStore::ensure_directory(settings.store_dir); !ok) {
        return std::unexpected(ok.error());
    }
    auto sealing_key = open_sealing_key(settings, tls);
    if (!sealing_key) return std::unexpected(sealing_key.error());
    auto store = credentials::SealedStore::open(settings.store_dir, std::move(*sealing_key));
    if (!store) return std::unexpected(store.error());
    std::unique_ptr<CredentialsRuntime> self(
        new CredentialsRuntime(executor, settings, tls, std::move(*store), std::move(helper_socket),
                               std::move(hooks), log));
    self->reseal_from_factory_key();
    auto current = self->store_.load(credentials::Slot::current);
    if (!current) {
        log.warning(
            "the sealed credentials cannot be opened; status shows none until the next "
            "set-credentials",
            {{"REASON", current.error().message}});
    }
    for (const auto& config : settings.interfaces) {
        auto i = std::make_unique<Interface>();
        i->config = config;
        auto options = wpa::WpaControlOptions::for_interface(config.name, settings.ctrl_dir);
        options.client_dir = settings.client_dir;
        i->wpa = std::make_unique<wpa::WpaControl>(executor, options);
        if (current && *current && credentials::to_string((*current)->interface) == config.type) {
            i->meta = credentials::metadata(**current);
        }
        self->watch(*i);
        self->interfaces_.emplace(config.type, std::move(i));
    }
    return self;
}

CredentialsRuntime::CredentialsRuntime(asio::any_io_executor executor,
                                       core::CredentialsSettings settings, core::TlsConfig tls,
                                       credentials::SealedStore store,
                                       std::filesystem::path helper_socket, CredentialsHooks hooks,
                                       sdk::Logger& log)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      tls_(std::move(tls)),
      store_(std::move(store)),
      helper_socket_(std::move(helper_socket)),
      hooks_(std::move(hooks)),
      log_(log) {}

CredentialsRuntime::~CredentialsRuntime() { stop(); }

void CredentialsRuntime::stop() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& [type, i] : interfaces_) i->wpa->close();
}

// Between deliveries the state follows wpa_supplicant's events; STATUS once attached.
void CredentialsRuntime::watch(Interface& i) {
    wpa::Listener listener;
    listener.on_event = [this, &i](const wpa::Event& e) {
        if (i.applying) return;
        using K = wpa::EventKind;
        const bool wired = i.config.type == "wired";
        if ((wired && e.kind == K::eap_success) || (!wired && e.kind == K::connected)) {
            set_state(i, "authorized");
        } else if (e.kind == K::eap_failure || e.kind == K::eap_timeout_failure) {
            set_state(i, "failed", "EAP authentication failed");
        } else if (e.kind == K::eap_started && i.state != "authenticating") {
            set_state(i, "authenticating");
        }
    };
    listener.on_link = [this, &i](const wpa::LinkChange& l) {
        if (l.kind == wpa::LinkChange::Kind::lost) {
            if (!i.applying) set_state(i, "unknown", "wpa_supplicant is not reachable");
            return;
        }
        i.wpa->async_status(guard([this, &i](Expected<wpa::Status> s) {
            if (!s || i.applying) return;
            const bool ok = i.config.type == "wired" ? s->port_authorized() : s->completed();
            if (ok) {
                set_state(i, "authorized");
            } else if (i.state != "failed") {
                set_state(i, "authenticating");
            }
        }));
    };
    i.wpa->add_listener(std::move(listener));
    i.wpa->start();
}

void CredentialsRuntime::set_state(Interface& i, std::string state,
                                   std::optional<std::string> detail) {
    if (i.state == state && i.detail == detail) return;
    i.state = std::move(state);
    i.detail = std::move(detail);
    i.since_ms = hooks_.now_ms();
}

void CredentialsRuntime::event(const Interface& i, json body) {
    json e{
        {"v", 1}, {"ts", hooks_.now_ms()}, {"interface", i.config.name}, {"type", i.config.type}};
    e.update(body);
    e["state"] = i.state;
    if (hooks_.enqueue) hooks_.enqueue("credentials", e.dump());
}

json CredentialsRuntime::status() const {
    json out = json::array();
    for (const auto& [type, i] : interfaces_) {
        json entry{{"interface", i->config.name},
                   {"type", i->config.type},
                   {"state", i->state},
                   {"since", i->since_ms},
                   {"attached", i->wpa->attached()},
                   {"last_result", i->last_result}};
        if (i->detail) entry["detail"] = *i->detail;
        if (i->meta) {
            entry["bundle_id"] = i->meta->id;
            entry["method"] = credentials::to_string(i->meta->type);
            if (i->meta->identity) entry["identity"] = *i->meta->identity;
            if (i->meta->ssid) entry["ssid"] = *i->meta->ssid;
            if (i->meta->client_cert) {
                entry["client_cert_not_after"] = i->meta->client_cert->not_after_ms;
                entry["client_cert_subject"] = i->meta->client_cert->subject;
            }
            if (i->meta->expires_at_ms) entry["bundle_expires_at"] = *i->meta->expires_at_ms;
        } else {
            entry["bundle_id"] = nullptr;
        }
        out.push_back(std::move(entry));
    }
    return out;
}

void CredentialsRuntime::helper_call(json params, std::function<void(Expected<json>)> done) {
    helper::HelperClient(executor_, helper_socket_)
        .async_call("wpa-config", std::move(params), k_helper_deadline, guard(std::move(done)));
}

// The sealed slots follow the file: previous becomes current again (after a first delivery
// there is none, and the store keeps nothing that is not in effect).
void CredentialsRuntime::undo_seal() {
    auto restored = store_.restore_previous();
    if (!restored) {
        log_.error(
            "the previous sealed credentials could not be restored; status may show the "
            "refused bundle until the next set-credentials",
            {{"REASON", restored.error().message}});
    } else if (!*restored) {
        (void)store_.clear();
    }
}

std::string CredentialsRuntime::cause_text(const Apply& a) {
    return a.cause ? a.cause->code + ": " + a.cause->message : std::string("?");
}

json CredentialsRuntime::rollback_output(const Apply& a) {
    return json{{"interface", a.iface->config.name},
                {"bundle_id", a.bundle.id},
                {"cause", a.cause ? json(a.cause->code) : json(nullptr)},
                {"rolled_back", false},
                {"rollback_ms", since(a.rollback_started)}};
}

// The device sealing key: in the factory key's token when there is one, else a file beside the
// sealed files; made at first start either way (docs/credentials.md, "At rest").
Expected<credentials::SealingKey> CredentialsRuntime::open_sealing_key(
    const core::CredentialsSettings& settings, const core::TlsConfig& tls) {
    if (tls.pkcs11) {
        auto factory = pkcs11::parse_key_uri(tls.key_file.string());
        if (!factory) return std::unexpected(factory.error());
        return credentials::SealingKey::open_or_create_in_token(
            pkcs11::format_uri(pkcs11::token_part(*factory)), k_sealing_key_label, *tls.pkcs11);
    }
    return credentials::SealingKey::open_or_create(settings.store_dir / k_sealing_key_file);
}

// The factory certificate and key (uplink.tls.*), read when needed: a box provisioned by a
// claim certificate has none, and one provisioned by files gets them while running.
Expected<std::optional<credentials::DeviceIdentity>> CredentialsRuntime::factory_identity() const {
    std::error_code ec;
    if (tls_.cert_file.empty() || !std::filesystem::exists(tls_.cert_file, ec)) {
        return std::nullopt;
    }
    if (!tls_.pkcs11 && !std::filesystem::exists(tls_.key_file, ec)) return std::nullopt;
    auto identity = tls_.pkcs11
                        ? credentials::DeviceIdentity::from_token(
                              tls_.cert_file, tls_.key_file.string(), *tls_.pkcs11)
                        : credentials::DeviceIdentity::from_files(tls_.cert_file, tls_.key_file);
    if (!identity) return std::unexpected(identity.error());
    return std::optional<credentials::DeviceIdentity>(std::move(*identity));
}

// lintel before the sealing key sealed to the factory key: such files are sealed again, once.
void CredentialsRuntime::reseal_from_factory_key() {
    auto factory = factory_identity();
    if (!factory || !*factory) return;
    auto old_key = credentials::SealingKey::of(**factory);
    if (!old_key) return;
    auto resealed = store_.reseal_from(*old_key);
    if (!resealed) {
        log_.warning("the sealed credentials could not be sealed again to the sealing key",
                     {{"REASON", resealed.error().message}});
    } else if (*resealed > 0) {
        log_.info("sealed credentials moved from the factory key to the device sealing key",
                  {{"FILES", std::to_string(*resealed)}, {"KEY", store_.key().location()}});
    }
}

// Addressed to the factory certificate, or to the one a renewal or a claim provisioning issued
// (the one the cloud sees on the connection). Any other refusal than "not for us" is final.
Expected<credentials::Bundle> CredentialsRuntime::open_envelope(const std::string& envelope) const {
    std::optional<Error> refusal;
    // Tried in turn, each loaded only when the one before was not the recipient (an issued key
    // in a token costs a token session).
    auto try_with = [&](const Expected<std::optional<credentials::DeviceIdentity>>& identity)
        -> std::optional<Expected<credentials::Bundle>> {
        if (!identity) {
            log_.warning("a certificate of this gateway cannot open envelopes",
                         {{"REASON", identity.error().message}});
            return std::nullopt;
        }
        if (!*identity) return std::nullopt;
        auto bundle = credentials::open_bundle(envelope, **identity, hooks_.now_ms());
        if (bundle || bundle.error().code != credentials::reason::not_for_us) return bundle;
        if (!refusal) refusal = bundle.error();
        return std::nullopt;
    };
    if (auto opened = try_with(factory_identity())) return std::move(*opened);
    if (hooks_.issued_identity) {
        if (auto opened = try_with(hooks_.issued_identity())) return std::move(*opened);
    }
    if (refusal) return std::unexpected(*refusal);
    return make_error(std::string(credentials::error::identity),
                      "this gateway has no certificate yet that an envelope can be addressed to "
                      "(not provisioned)");
}

void CredentialsRuntime::apply(CredentialsRequest request, Done done) {
    if (busy_) {
        return done(refused(apply_code::busy,
                            "another set-credentials is being applied; send this one after it "
                            "finished"));
    }
    auto bundle = open_envelope(request.envelope);
    if (!bundle) {
        log_.warning("set-credentials refused: nothing was written",
                     {{"COMMAND_ID", request.command_id}, {"REASON", bundle.error().code}});
        return done(refused(bundle.error().code, bundle.error().message));
    }
    const std::string kind(credentials::to_string(bundle->interface));
    auto it = interfaces_.find(kind);
    if (it == interfaces_.end()) {
        return done(
            refused(apply_code::no_interface,
                    "bundle " + bundle->id + " is for a " + kind +
                        " interface, and this gateway manages none (credentials.interfaces)"));
    }
    if (auto ok = check_renderable(*bundle); !ok) {
        return done(refused(ok.error().code, "bundle " + bundle->id + ": " + ok.error().message));
    }
    auto a = std::make_shared<Apply>();
    a->request = std::move(request);
    a->done = std::move(done);
    a->iface = it->second.get();
    a->bundle = std::move(*bundle);
    a->previous_meta = a->iface->meta;
    if (auto sealed = store_.install(a->bundle); !sealed) {
        return a->done(
            failed(apply_code::apply_failed,
                   "the bundle could not be sealed; nothing changed: " + sealed.error().message));
    }
    busy_ = true;
    a->iface->applying = true;
    log_.info("set-credentials: applying", {{"COMMAND_ID", a->request.command_id},
                                            {"BUNDLE", a->bundle.id},
                                            {"INTERFACE", a->iface->config.name}});
    write_and_reconfigure(a);
}

void CredentialsRuntime::write_and_reconfigure(std::shared_ptr<Apply> a) {
    Interface& i = *a->iface;
    const std::string file = i.config.config_file.filename().string();
    helper_call(wpa_write_params(a->bundle, file), [this, a, &i](Expected<json> r) {
        std::optional<std::string> problem;
        if (!r) {
            problem = r.error().code + ": " + r.error().message;
        } else if (r->value("file", "") != i.config.config_file.string()) {
            problem = "lintel-helper wrote " + r->value("file", std::string("?")) +
                      ", but credentials.interfaces[].config_file is " +
                      i.config.config_file.string() +
                      " (the helper's --wpa-config-dir must hold it)";
        }
        if (problem) {
            undo_seal();
            return finish(*a, failed(apply_code::apply_failed,
                                     "the wpa_supplicant configuration was not written; the "
                                     "previous one stays: " +
                                         *problem));
        }
        set_state(i, "authenticating");
        event(i, {{"event", "applying"},
                  {"bundle_id", a->bundle.id},
                  {"command_id", a->request.command_id}});
        i.wpa->async_reconfigure(guard([this, a](Expected<void> ok) {
            if (!ok) return roll_back(a, ok.error());
            await_authorized(a, false);
        }));
    });
}

void CredentialsRuntime::await_authorized(std::shared_ptr<Apply> a, bool previous) {
    Interface& i = *a->iface;
    wpa::AwaitOptions options;
    options.deadline = settings_.auth_deadline;
    options.policy.medium = i.config.type == "wired" ? wpa::Medium::wired : wpa::Medium::wireless;
    // Only a success after the RECONFIGURE counts: never the old session's.
    options.policy.require_fresh_success = true;
    // Going back, the authenticator's quiet period after the failure makes the first tries fail
    // or go unanswered: keep waiting for a success until the deadline.
    options.policy.stop_on_failure = !previous;
    i.wpa->async_await_authorized(options, guard([this, a, previous](Expected<wpa::Authorized> ok) {
                                      if (previous) return previous_authorized(a, std::move(ok));
                                      if (!ok) return roll_back(a, ok.error());
                                      new_authorized(a);
                                  }));
}

void CredentialsRuntime::new_authorized(std::shared_ptr<Apply> a) {
    Interface& i = *a->iface;
    i.meta = credentials::metadata(a->bundle);
    set_state(i, "authorized");
    const auto elapsed = since(a->started);
    log_.info("set-credentials: authorized with the new credentials",
              {{"BUNDLE", a->bundle.id},
               {"INTERFACE", i.config.name},
               {"ELAPSED_MS", std::to_string(elapsed)}});
    event(i, {{"event", "applied"},
              {"bundle_id", a->bundle.id},
              {"command_id", a->request.command_id},
              {"elapsed_ms", elapsed}});
    finish(*a, Outcome{Outcome::Status::applied, "",
                       "credentials " + a->bundle.id + " authorized on " + i.config.name + " in " +
                           std::to_string(elapsed) + " ms",
                       json{{"interface", i.config.name},
                            {"bundle_id", a->bundle.id},
                            {"state", "authorized"},
                            {"elapsed_ms", elapsed}}});
}

void CredentialsRuntime::roll_back(std::shared_ptr<Apply> a, Error cause) {
    Interface& i = *a->iface;
    a->cause = cause;
    a->rollback_started = std::chrono::steady_clock::now();
    set_state(i, "failed", cause.code + ": " + cause.message);
    log_.warning(
        "set-credentials: the new credentials did not authorize; restoring the previous ones",
        {{"BUNDLE", a->bundle.id}, {"INTERFACE", i.config.name}, {"REASON", cause.message}});
    event(i, {{"event", "failed"},
              {"bundle_id", a->bundle.id},
              {"command_id", a->request.command_id},
              {"reason", cause.code},
              {"detail", cause.message}});
    const std::string file = i.config.config_file.filename().string();
    helper_call(json{{"op", "restore"}, {"file", file}}, [this, a, &i](Expected<json> r) {
        undo_seal();
        if (!r) {
            set_state(i, "failed", "rollback: " + r.error().message);
            return finish(*a, failed(apply_code::rollback_failed,
                                     "the new credentials failed (" + cause_text(*a) +
                                         ") and the previous configuration could not be put "
                                         "back: " +
                                         r.error().code + ": " + r.error().message,
                                     rollback_output(*a)));
        }
        // A failed SET only costs time (the next EAPOL-Start after the default 30 s).
        i.wpa->async_set("EAPOL::startPeriod", k_rollback_start_period,
                         guard([this, a, &i](Expected<void>) {
                             i.wpa->async_reconfigure(guard([this, a](Expected<void> ok) {
                                 if (!ok) {
                                     set_state(*a->iface, "failed", ok.error().message);
                                     return finish(*a, failed(apply_code::rollback_failed,
                                                              "the previous configuration is "
                                                              "back on disk, but wpa_supplicant "
                                                              "did not reload it: " +
                                                                  ok.error().message,
                                                              rollback_output(*a)));
                                 }
                                 await_authorized(a, true);
                             }));
                         }));
    });
}

void CredentialsRuntime::previous_authorized(std::shared_ptr<Apply> a,
                                             Expected<wpa::Authorized> ok) {
    Interface& i = *a->iface;
    json output = rollback_output(*a);
    if (!ok) {
        set_state(i, "failed", ok.error().code + ": " + ok.error().message);
        event(i, {{"event", "rollback_failed"},
                  {"bundle_id", a->bundle.id},
                  {"command_id", a->request.command_id},
                  {"reason", ok.error().code}});
        return finish(*a, failed(apply_code::rollback_failed,
                                 "the new credentials failed (" + cause_text(*a) +
                                     "), and the previous ones did not authorize again: " +
                                     ok.error().message,
                                 std::move(output)));
    }
    i.meta = a->previous_meta;
    set_state(i, "authorized");
    output["rolled_back"] = true;
    output["state"] = "authorized";
    log_.info("set-credentials: the previous credentials are authorized again",
              {{"INTERFACE", i.config.name},
               {"ROLLBACK_MS", std::to_string(output["rollback_ms"].get<std::int64_t>())}});
    event(i, {{"event", "rolled_back"},
              {"bundle_id", a->bundle.id},
              {"command_id", a->request.command_id},
              {"reason", a->cause->code},
              {"rollback_ms", output["rollback_ms"]}});
    finish(*a,
           failed(apply_code::rolled_back,
                  "credentials " + a->bundle.id + " did not authorize on " + i.config.name + " (" +
                      cause_text(*a) + "); the previous credentials are back and authorized (in " +
                      output["rollback_ms"].dump() + " ms)",
                  std::move(output)));
}

void CredentialsRuntime::finish(Apply& a, Outcome outcome) {
    Interface& i = *a.iface;
    i.applying = false;
    busy_ = false;
    i.last_result = json{{"command_id", a.request.command_id},
                         {"bundle_id", a.bundle.id},
                         {"ts", hooks_.now_ms()},
                         {"outcome", outcome.status == Outcome::Status::applied ? "ok" : "failed"},
                         {"reason", outcome.reason.empty() ? json(nullptr) : json(outcome.reason)}};
    if (outcome.status != Outcome::Status::applied) {
        log_.warning("set-credentials failed", {{"COMMAND_ID", a.request.command_id},
                                                {"REASON", outcome.reason},
                                                {"DETAIL", outcome.message}});
    }
    auto done = std::move(a.done);
    done(std::move(outcome));
}

}  // namespace lintel::app
