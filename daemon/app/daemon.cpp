// Daemon lifecycle: ordered start, SIGHUP reload with validation, bounded graceful stop.
#include "app/daemon.hpp"

#include <csignal>

#include "app/daemon_services.hpp"
#include "app/settings.hpp"
#include "commands/reason_codes.hpp"
#include "core/config_loader.hpp"
#include "core/credentials.hpp"
#include "helper/helper_client.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::app {

namespace {
constexpr auto kStatusInterval = std::chrono::seconds(2);
// How often a gateway that is not provisioned looks for its credential files: a stat() each,
// cheap enough to notice an installer's copy within seconds.
constexpr auto kProvisioningRecheck = std::chrono::seconds(5);
// lintel-helper writes one small file: seconds, unless it hangs.
constexpr auto kHelperWriteDeadline = std::chrono::seconds(15);

// The gateway's TLS key, which also signs command results: a PEM file, or a key in a PKCS#11
// token (docs/pkcs11.md) that signs inside the token.
Expected<commands::PrivateKey> gateway_signing_key(const core::TlsConfig& tls) {
    if (!tls.pkcs11) return commands::PrivateKey::from_pem_file(tls.key_file);
    auto key = pkcs11::open_private_key(tls.key_file.string(), *tls.pkcs11);
    if (!key) return std::unexpected(key.error());
    return commands::PrivateKey::from_evp_pkey(key->native());
}
}  // namespace

Daemon::Daemon(RunOptions options, core::Config config, core::DaemonLogger& log)
    : options_(std::move(options)),
      config_(std::move(config)),
      log_(log),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      status_timer_(io_),
      shutdown_deadline_(io_),
      provisioning_timer_(io_),
      notifier_(io_.get_executor()) {}

Daemon::~Daemon() {
    // Order matters: nothing may publish into a store that is gone.
    control_.reset();
    ota_.reset();
    identity_.reset();
    credentials_.reset();
    applier_.reset();
    if (devices_) devices_->stop_all();
    uplink_.reset();
    command_service_.reset();
    retiring_command_services_.clear();
    if (store_) store_->stop();
    if (command_store_) command_store_->stop();
}

int Daemon::run() {
    if (!start()) return exit_code_;
    io_.run();
    return exit_code_;
}

bool Daemon::start() {
    log_.info("linteld starting", {{"VERSION", version_string()},
                                   {"CONFIG", config_.source.string()},
                                   {"GATEWAY", config_.gateway_id}});
    auto store = store::StoreService::start(store_options(config_), io_.get_executor(), log_);
    if (!store) {
        log_.error("cannot open the telemetry buffer; exiting",
                   {{"PATH", config_.buffer.path.string()}, {"REASON", store.error().message}});
        exit_code_ = kExitFailure;
        return false;
    }
    store_ = std::move(*store);
    // The security records live beside the buffer, in their own file (see command_db.hpp).
    store::CommandDbOptions command_db;
    command_db.path = config_.buffer.path.parent_path() / "commands.db";
    command_db.audit_max_rows = config_.commands.audit_max_rows;
    auto command_store = store::CommandStore::start(command_db, io_.get_executor(), log_);
    if (!command_store) {
        log_.error("cannot open the command and audit database; exiting",
                   {{"PATH", command_db.path.string()}, {"REASON", command_store.error().message}});
        exit_code_ = kExitFailure;
        return false;
    }
    command_store_ = std::move(*command_store);
    services_ = std::make_unique<DaemonServices>(*this);
    if (!recover_unconfirmed_apply()) return false;
    apply_log_ = std::make_unique<core::ScopedLogger>(
        log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "apply-config"}});
    applier_ = std::make_unique<ConfigApplier>(
        io_.get_executor(), *services_, apply_journal(),
        [this](const std::string& file, const std::optional<std::string>& content,
               std::function<void(Expected<nlohmann::json>)> done) {
            write_config_file(file, content, std::move(done));
        },
        *apply_log_);

    sdk::ConfigErrors device_errors;
    std::tie(plugins_, devices_) = build_devices(config_, device_errors);
    if (!device_errors.empty()) {
        for (const auto& issue : device_errors.issues())
            log_.error("invalid device config: " + issue.to_string());
        exit_code_ = kExitConfig;
        return false;
    }

    credential_stamps_ = credential_stamps(config_);
    start_ota();
    start_identity();
    start_credentials();
    start_uplink_or_wait();
    devices_->start_all();
    start_control();

    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (!ec) on_signal(signo);
    });
    arm_status_timer();
    notifier_.ready(status_line());
    notifier_.start_watchdog();
    log_.info("linteld ready", {{"DEVICES", std::to_string(devices_->device_count())}});
    return true;
}

ApplyJournal Daemon::apply_journal() const {
    return ApplyJournal(config_.buffer.path.parent_path() / "config-apply.json");
}

void Daemon::write_config_file(const std::string& file, const std::optional<std::string>& content,
                               std::function<void(Expected<nlohmann::json>)> done) {
    nlohmann::json params{{"file", file}};
    if (content) {
        params["content"] = *content;
    } else {
        params["remove"] = true;
    }
    helper::HelperClient(io_.get_executor(), config_.helper.socket)
        .async_call("write-config", std::move(params), kHelperWriteDeadline, std::move(done));
}

bool Daemon::recover_unconfirmed_apply() {
    const ApplyJournal journal = apply_journal();
    auto pending = journal.read();
    if (!pending) {
        log_.error("the apply-config rollback record is unreadable; removing it",
                   {{"PATH", journal.path().string()}, {"REASON", pending.error().message}});
        (void)journal.clear();
        return true;
    }
    if (!*pending) return true;
    const PendingApply& p = **pending;
    log_.warning(
        "apply-config: linteld stopped before the new configuration was confirmed; restoring "
        "the previous one",
        {{"COMMAND_ID", p.command_id}, {"FILE", p.file}});
    // The loop is not running yet: run it just for this one helper call (bounded by its
    // deadline), so devices start with the configuration that is restored.
    std::optional<Expected<nlohmann::json>> restored;
    write_config_file(p.file, p.previous,
                      [&restored](Expected<nlohmann::json> r) { restored = std::move(r); });
    while (!restored && io_.run_one() > 0) {
    }
    if (io_.stopped()) io_.restart();
    if (!restored || !*restored) {
        log_.error(
            "apply-config: the previous configuration cannot be restored; running the new one, "
            "and trying again at the next start",
            {{"FILE", p.file},
             {"REASON", restored ? restored->error().message : "no answer from lintel-helper"}});
        return true;
    }
    sdk::ConfigErrors errors;
    auto previous = core::load_config(options_.config_path,
                                      core::LoadOptions{options_.default_plugin_dir, true}, errors);
    if (!previous) {
        for (const auto& issue : errors.issues())
            log_.error("invalid configuration: " + issue.to_string());
        log_.error("the restored configuration does not load; exiting");
        exit_code_ = kExitConfig;
        return false;
    }
    config_ = std::move(*previous);
    log_.set_level(config_.log_level);
    (void)journal.clear();
    commands::LateOutcome late;
    late.command_id = p.command_id;
    late.kid = p.kid;
    late.principal = p.principal;
    late.action = "apply-config";
    late.received_ms = p.started_ms;
    const std::string why = "rolled back: linteld stopped before the new " + p.file +
                            " was confirmed; the previous file was restored at start-up";
    late.outcome = commands::ActionOutcome{
        commands::ResultStatus::failed, std::string(commands::reason::rolled_back),
        nlohmann::json{{"error", why}, {"rolled_back", true}}, why};
    late_outcome_ = std::move(late);
    return true;
}

std::pair<std::unique_ptr<core::PluginHost>, std::unique_ptr<core::DeviceManager>>
Daemon::build_devices(const core::Config& config, sdk::ConfigErrors& errors) {
    auto plugins = std::make_unique<core::PluginHost>(config.plugin_dir, log_);
    auto devices = std::make_unique<core::DeviceManager>(
        io_.get_executor(), *plugins, log_,
        [this](std::vector<sdk::PointValue> values) { ingest(std::move(values)); },
        // The latest value per point, read or suppressed, for read-point and lintelctl points.
        [this](const sdk::PointValue& v) {
            latest_[{v.device, v.point}] = v;
        });
    devices->build(config.devices, errors);
    if (config.commands.enabled) (void)commands::TrustStore::load(config.commands, errors);
    return {std::move(plugins), std::move(devices)};
}

void Daemon::start_uplink() {
    uplink_log_ = std::make_unique<core::ScopedLogger>(
        log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "uplink"}});
    auto settings = uplink_config(config_);
    if (identity_) identity_->apply(settings);
    uplink_ = std::make_unique<uplink::Session>(io_.get_executor(), settings, *store_, *uplink_log_,
                                                [this] { return store_->stats(); });
    uplink_->attach_outbox(*command_store_);
    if (identity_) {
        uplink_->on_certificate_reply(
            [this](const uplink::MqttMessage& m) { identity_->on_reply(m.payload); });
        uplink_->on_state_change([this](uplink::LinkState state, std::string_view) {
            if (!identity_) return;
            const bool up = state == uplink::LinkState::connected;
            if (!up || !swapping_uplink_) identity_->on_link(up);
        });
    }
    uplink_->set_status_extra([this] {
        auto doc = services_->status_document();
        return nlohmann::json{{"devices", doc["devices"]},
                              {"points_suppressed", doc["points_suppressed"]},
                              {"certificate", doc["certificate"]},
                              {"commands", doc.value("commands", nlohmann::json(nullptr))},
                              {"ota", doc["ota"]},
                              {"credentials", doc["credentials"]}}
            .dump();
    });
    build_command_service();
    if (command_service_) {
        uplink_->on_command([this](const uplink::MqttMessage& m) {
            if (command_service_) command_service_->handle(m.payload);
        });
    }
    if (auto started = uplink_->start(); !started) {
        // The config loader checked the files; this is e.g. a certificate that does not parse.
        log_.error("uplink not started; telemetry is buffered until the next reload or restart",
                   {{"REASON", started.error().message}});
    }
}

void Daemon::ingest(std::vector<sdk::PointValue> values) { store_->ingest(std::move(values)); }

void Daemon::retire_command_service() {
    if (!command_service_) return;
    if (command_service_->in_flight() == 0) {
        command_service_.reset();
        return;
    }
    commands::CommandService* retiring = command_service_.get();
    retiring_command_services_.push_back(std::move(command_service_));
    retiring->when_idle([this, retiring] {
        std::erase_if(retiring_command_services_,
                      [retiring](const auto& s) { return s.get() == retiring; });
    });
}

void Daemon::build_command_service() {
    retire_command_service();
    if (!config_.commands.enabled) return;
    sdk::ConfigErrors errors;
    auto trust = commands::TrustStore::load(config_.commands, errors);
    if (!trust) {  // checked at start and reload; a key file may have changed since
        log_.error("cloud commands disabled: the trust store cannot be loaded",
                   {{"REASON", errors.to_string()}});
        return;
    }
    // Results are signed with the gateway's own TLS key, so the cloud can verify them with the
    // gateway certificate it already knows.
    // The uplink identity's key: after a renewal, the issued certificate's (a file); else the
    // configured one (a file or a token key).
    core::TlsConfig signing = config_.uplink.tls;
    if (identity_) {
        auto active = identity_->select();
        if (active && active->source == "claim") {
            // A claim certificate may only ask for the gateway's own: no commands before that.
            log_.info("cloud commands start once the gateway has its own certificate");
            return;
        }
        if (active && active->source == "issued") {
            signing.key_file =
                active->key_uri ? std::filesystem::path(*active->key_uri) : active->key;
            if (!active->key_uri) signing.pkcs11.reset();
        }
    }
    const std::filesystem::path key_file = signing.key_file;
    auto key = gateway_signing_key(signing);
    if (!key) {
        log_.error("cloud commands disabled: the gateway key cannot sign results",
                   {{"KEY", key_file.string()}, {"REASON", key.error().message}});
        return;
    }
    // One logger for every command service: a retiring one still logs through it.
    if (!commands_log_) {
        commands_log_ = std::make_unique<core::ScopedLogger>(
            log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "commands"}});
    }
    command_service_ = std::make_unique<commands::CommandService>(
        io_.get_executor(), config_.commands, std::move(*trust), std::move(*key),
        config_.gateway_id, *command_store_, *services_, *commands_log_);
    command_service_->start();
    if (late_outcome_) {
        command_service_->report(std::move(*late_outcome_));
        late_outcome_.reset();
    }
}

void Daemon::start_control() {
    if (!config_.control.enabled) return;
    control_log_ = std::make_unique<core::ScopedLogger>(
        log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "control"}});
    control::ControlServerOptions o;
    o.socket_path = config_.control.socket;
    o.admin_group = config_.control.admin_group;
    o.listen_fd = core::listen_fd_named("control");  // lintel-control.socket, when present
    control_ =
        std::make_unique<control::ControlServer>(io_.get_executor(), *services_, *control_log_, o);
    auto record = [this](const control::Peer& peer, std::string action, std::string decision,
                         std::string reason, std::string detail) {
        store::AuditRecord a;
        a.ts_ms = sdk::now_unix_ms();
        a.source = "control";
        a.principal = "uid " + std::to_string(peer.uid);
        a.action = std::move(action);
        a.decision = std::move(decision);
        a.reason = std::move(reason);
        a.detail = std::move(detail);
        command_store_->append_audit(std::move(a));
    };
    control_->on_refused([this, record](const control::Peer& peer, std::string_view why) {
        log_.warning("control socket: refused a local client", {{"UID", std::to_string(peer.uid)},
                                                                {"PID", std::to_string(peer.pid)},
                                                                {"REASON", why}});
        record(peer, "connect", "rejected", "control.refused", std::string(why));
    });
    control_->on_request([record](const control::Peer& peer, const control::Request& request) {
        record(peer, control::describe(request), "executed", "", "pid " + std::to_string(peer.pid));
    });
    if (auto r = control_->start(); !r) {
        // Not fatal: the gateway's job goes on without local control.
        log_.error("control socket not available; lintelctl cannot reach linteld",
                   {{"REASON", r.error().message}});
        control_.reset();
    }
}

void Daemon::start_ota() {
    if (!config_.ota.enabled) return;
    if (!ota_log_) {
        ota_log_ = std::make_unique<core::ScopedLogger>(
            log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "ota"}});
    }
    DaemonOtaHooks hooks;
    hooks.uplink_connected = [this] { return services_->uplink_connected(); };
    hooks.enqueue = [this](std::string topic, std::string payload) {
        if (command_store_) command_store_->enqueue(std::move(topic), std::move(payload));
    };
    hooks.audit = [this](store::AuditRecord record) {
        if (command_store_) command_store_->append_audit(std::move(record));
    };
    hooks.running_version = version_string();
    // ota.db lives beside the buffer, like commands.db.
    auto runtime = OtaRuntime::start(
        io_.get_executor(), config_.ota, config_.gateway_id, config_.helper.socket,
        config_.buffer.path.parent_path() / "ota.db", std::move(hooks), *ota_log_);
    if (!runtime) {
        log_.error("OTA updates are unavailable; the gateway runs on without them",
                   {{"REASON", runtime.error().message}});
        return;
    }
    ota_ = std::move(*runtime);
}

void Daemon::start_credentials() {
    // Also on a box without certificates yet: the sealing key is its own, and envelopes are
    // opened with whichever certificate the gateway has when they come.
    if (!config_.credentials.enabled) return;
    if (!credentials_log_) {
        credentials_log_ = std::make_unique<core::ScopedLogger>(
            log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "credentials"}});
    }
    CredentialsHooks hooks;
    hooks.enqueue = [this](std::string suffix, std::string payload) {
        if (command_store_) command_store_->enqueue(std::move(suffix), std::move(payload));
    };
    hooks.now_ms = [] { return sdk::now_unix_ms(); };
    hooks.issued_identity = [this]() -> Expected<std::optional<credentials::DeviceIdentity>> {
        if (!identity_) return std::nullopt;
        auto active = identity_->select();
        if (!active || active->source != "issued") return std::nullopt;
        auto id = active->key_uri
                      ? credentials::DeviceIdentity::from_token(active->cert, *active->key_uri,
                                                                *config_.uplink.tls.pkcs11)
                      : credentials::DeviceIdentity::from_files(active->cert, active->key);
        if (!id) return std::unexpected(id.error());
        return std::optional<credentials::DeviceIdentity>(std::move(*id));
    };
    auto runtime =
        CredentialsRuntime::start(io_.get_executor(), config_.credentials, config_.uplink.tls,
                                  config_.helper.socket, std::move(hooks), *credentials_log_);
    if (!runtime) {
        log_.error("delivered credentials are unavailable; set-credentials is refused",
                   {{"REASON", runtime.error().message}});
        return;
    }
    credentials_ = std::move(*runtime);
}

void Daemon::start_uplink_or_wait() {
    provisioning_timer_.cancel();
    if (config_.missing_credentials.empty() || identity_covers_missing()) {
        provisioning_note_.clear();
        start_uplink();
        return;
    }
    const std::string missing = core::describe_missing(config_.missing_credentials);
    provisioning_note_ = "not provisioned: " + missing;
    log_.warning(
        "not provisioned: the uplink waits for its credential files; devices are polled and "
        "their telemetry is buffered meanwhile",
        {{"MISSING", missing},
         {"NEXT", "install the files (see linteld(8), PROVISIONING); checked every " +
                      std::to_string(kProvisioningRecheck.count()) + " s and on reload"}});
    arm_provisioning_check();
}

bool Daemon::identity_covers_missing() const {
    if (!identity_) return false;
    for (const auto& f : config_.missing_credentials) {
        if (f.path != config_.uplink.tls.cert_file && f.path != config_.uplink.tls.key_file)
            return false;  // the CA or the CRL: no identity replaces those
    }
    auto active = identity_->select();
    return active && active->source != "factory";
}

void Daemon::start_identity() {
    if (!identity_log_) {
        identity_log_ = std::make_unique<core::ScopedLogger>(
            log_, std::vector<std::pair<std::string, std::string>>{{"COMPONENT", "identity"}});
    }
    IdentityHooks hooks;
    hooks.publish = [this](std::string_view subtopic, std::string_view payload) -> Expected<void> {
        if (!uplink_ || swapping_uplink_) return make_error("uplink.offline", "no uplink session");
        return uplink_->publish_now(subtopic, payload);
    };
    hooks.reconnect = [this](const std::string& why) {
        // Posted: the runtime calls this from inside a session's handler.
        asio::post(io_, [this, why] {
            if (!stopping_) restart_uplink(why);
        });
    };
    hooks.enqueue = [this](std::string topic, std::string payload) {
        if (command_store_) command_store_->enqueue(std::move(topic), std::move(payload));
    };
    hooks.audit = [this](store::AuditRecord record) {
        if (command_store_) command_store_->append_audit(std::move(record));
    };
    // The identity directory lives beside the buffer, like commands.db and ota.db.
    auto runtime =
        IdentityRuntime::start(io_.get_executor(), config_, config_.buffer.path.parent_path(),
                               std::move(hooks), *identity_log_);
    if (!runtime) {
        log_.error("certificate lifecycle unavailable; the uplink uses uplink.tls as configured",
                   {{"REASON", runtime.error().message}});
        return;
    }
    identity_ = std::move(*runtime);
}

void Daemon::restart_uplink(const std::string& why) {
    if (swapping_uplink_) return;  // the swap under way ends in start_uplink_or_wait()
    if (!uplink_) {
        start_uplink_or_wait();
        return;
    }
    log_.info(why + "; reconnecting");
    swapping_uplink_ = true;
    auto old = std::shared_ptr<uplink::Session>(std::move(uplink_));
    auto old_log = std::shared_ptr<core::ScopedLogger>(std::move(uplink_log_));
    old->async_stop(std::chrono::seconds(5), [this, old, old_log]() mutable {
        asio::post(io_, [old, old_log]() mutable {
            old.reset();
            old_log.reset();
        });
        swapping_uplink_ = false;
        if (!stopping_) start_uplink_or_wait();
    });
}

void Daemon::arm_provisioning_check() {
    provisioning_timer_.expires_after(kProvisioningRecheck);
    provisioning_timer_.async_wait([this](const boost::system::error_code& ec) {
        // A reload started the uplink (or is swapping it) meanwhile: this wait is stale.
        if (ec || stopping_ || uplink_ || swapping_uplink_) return;
        check_provisioning();
    });
}

void Daemon::check_provisioning() {
    auto report = core::check_credential_files(config_.uplink.tls);
    if (!report.missing.empty()) {
        if (report.missing != config_.missing_credentials) {
            config_.missing_credentials = report.missing;
            provisioning_note_ = "not provisioned: " + core::describe_missing(report.missing);
            log_.info("still not provisioned",
                      {{"MISSING", core::describe_missing(report.missing)}});
        }
        arm_provisioning_check();
        return;
    }
    if (!report.problems.empty()) {
        std::string problems;
        for (const auto& p : report.problems)
            problems += (problems.empty() ? "" : "; ") + p.message;
        provisioning_note_ = "credentials unusable: " + problems;
        if (problems != logged_credential_problem_) {
            logged_credential_problem_ = problems;
            log_.error(
                "credential files are in place but cannot be used; the uplink starts once "
                "they are fixed",
                {{"REASON", problems}});
        }
        arm_provisioning_check();
        return;
    }
    config_.missing_credentials.clear();
    logged_credential_problem_.clear();
    provisioning_note_.clear();
    credential_stamps_ = credential_stamps(config_);
    log_.info("credential files found: starting the uplink");
    start_uplink();
    notifier_.status(status_line());
}

void Daemon::on_signal(int signo) {
    if (signo == SIGHUP) {
        reload();
    } else {
        begin_shutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    if (!stopped_) {
        signals_.async_wait([this](const boost::system::error_code& ec, int s) {
            if (!ec) on_signal(s);
        });
    }
}

void Daemon::reload() {
    if (stopping_) return;
    notifier_.reloading();
    log_.info("reloading configuration", {{"CONFIG", options_.config_path.string()}});
    sdk::ConfigErrors errors;
    if (auto r = apply_reload(errors); !r) {
        for (const auto& issue : errors.issues())
            log_.error("reload rejected: " + issue.to_string());
        log_.error("configuration reload rejected; the running configuration stays in effect",
                   {{"ERRORS", std::to_string(errors.size())}});
    }
    notifier_.ready(status_line());
}

Expected<void> Daemon::apply_reload(sdk::ConfigErrors& errors) {
    if (stopping_) return make_error("config.stopping", "linteld is stopping");
    auto next = core::load_config(options_.config_path,
                                  core::LoadOptions{options_.default_plugin_dir, true}, errors);
    // Devices are built (validated) before anything running is touched: a reload either applies
    // whole or not at all.
    std::unique_ptr<core::PluginHost> next_plugins;
    std::unique_ptr<core::DeviceManager> next_devices;
    if (next) std::tie(next_plugins, next_devices) = build_devices(*next, errors);
    if (!next || !errors.empty()) {
        return make_error("config.invalid",
                          std::to_string(errors.size()) + " error(s) in the configuration");
    }
    log_.set_level(next->log_level);
    if (!(next->credentials == config_.credentials)) {
        log_.warning(
            "credentials: settings take effect at the next restart; keeping the running "
            "ones");
        next->credentials = config_.credentials;
    }
    if (next->gateway_id != config_.gateway_id || !(next->buffer == config_.buffer)) {
        log_.warning(
            "gateway.id and buffer settings take effect at the next restart; keeping the running "
            "ones");
        next->gateway_id = config_.gateway_id;
        next->buffer = config_.buffer;
    }

    devices_->stop_all();
    // The old devices (and their plugins) go only after stop(): no handler of theirs is pending.
    devices_ = std::move(next_devices);
    plugins_.swap(next_plugins);
    next_plugins.reset();

    const auto stamps = credential_stamps(*next);
    const bool commands_changed = !(next->commands == config_.commands);
    // Turning commands on or off changes the session's subscriptions: a new session.
    const bool uplink_changed = !(next->uplink == config_.uplink) || stamps != credential_stamps_ ||
                                next->missing_credentials != config_.missing_credentials ||
                                next->commands.enabled != config_.commands.enabled;
    config_ = std::move(*next);
    credential_stamps_ = stamps;
    devices_->start_all();
    if (ota_) {
        ota_->reconfigure(config_.ota);
    } else {
        start_ota();
    }
    if (identity_) identity_->reconfigure(config_);

    // New keys, roles or limits take effect now; with a new uplink, start_uplink() rebuilds it.
    if (commands_changed && !uplink_changed && uplink_) {
        build_command_service();
        if (!command_service_) log_.warning("cloud commands are off after this reload");
    }
    if (uplink_changed && swapping_uplink_) {
        // The swap under way ends in start_uplink_or_wait() and picks up config_ as it is now.
    } else if (uplink_changed && !uplink_) {
        start_uplink_or_wait();  // was waiting for credentials
    } else if (uplink_changed) {
        restart_uplink("uplink settings or credentials changed");
    }
    latest_.clear();  // values of devices that may be gone
    log_.info("configuration reloaded", {{"DEVICES", std::to_string(devices_->device_count())}});
    return {};
}

void Daemon::begin_shutdown(const char* why) {
    if (stopping_) return;
    stopping_ = true;
    log_.info("stopping: polling stops, buffer is flushed, uplink disconnects", {{"SIGNAL", why}});
    notifier_.stopping("stopping");
    provisioning_timer_.cancel();
    if (control_) control_->stop();
    devices_->stop_all();
    shutdown_deadline_.expires_after(config_.shutdown_timeout);
    shutdown_deadline_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        log_.warning("shutdown deadline reached; exiting with the buffer committed",
                     {{"TIMEOUT", std::to_string(config_.shutdown_timeout.count()) + "ms"}});
        finish_shutdown();
    });
    store_->flush([this](Expected<void> flushed) {
        if (!flushed)
            log_.error("final buffer commit failed", {{"REASON", flushed.error().message}});
        if (stopped_) return;
        const auto budget = std::max(std::chrono::milliseconds(500),
                                     config_.shutdown_timeout - std::chrono::seconds(1));
        if (!uplink_) {  // not provisioned, or a reload is swapping sessions: nothing to disconnect
            finish_shutdown();
            return;
        }
        uplink_->async_stop(budget, [this] { finish_shutdown(); });
    });
}

void Daemon::finish_shutdown() {
    if (stopped_) return;
    stopped_ = true;
    shutdown_deadline_.cancel();
    status_timer_.cancel();
    notifier_.stop_watchdog();
    signals_.cancel();
    store_->stop();          // commits what is queued and joins the writer thread
    if (ota_) ota_->stop();  // the update's state is on disk; the next start resumes it
    if (credentials_) credentials_->stop();
    applier_.reset();  // a trial under way stays in its journal: rolled back at the next start
    command_service_.reset();
    retiring_command_services_.clear();
    command_store_->stop();  // audit records queued so far are written
    const auto s = store_->stats();
    log_.info("linteld stopped", {{"QUEUED_POINTS", std::to_string(s.queued_points)}});
    io_.stop();
}

void Daemon::arm_status_timer() {
    status_timer_.expires_after(kStatusInterval);
    status_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        notifier_.status(status_line());
        arm_status_timer();
    });
}

std::string Daemon::status_line() const {
    const auto s = store_ ? store_->stats() : store::BufferStats{};
    std::string line = "link=" + std::string(uplink_ ? uplink::to_string(uplink_->state())
                                             : !provisioning_note_.empty() ? "not-provisioned"
                                                                           : "stopped");
    line += " queue=" + std::to_string(s.queued_points);
    line += " dropped=" + std::to_string(s.dropped_total + s.ingest_overflow);
    if (devices_) {
        line += " devices=" + std::to_string(devices_->healthy_count()) + "/" +
                std::to_string(devices_->device_count()) + " ok";
    }
    // The session's own words last: "uplink offline: <reason>; retry in 4.2 s".
    if (uplink_) {
        line += " | " + uplink_->link_state_string();
    } else if (!provisioning_note_.empty()) {
        line += " | " + provisioning_note_;
    }
    return line;
}

std::map<std::filesystem::path, std::filesystem::file_time_type> Daemon::credential_stamps(
    const core::Config& c) const {
    std::map<std::filesystem::path, std::filesystem::file_time_type> out;
    std::vector<std::filesystem::path> files{c.uplink.tls.ca_file, c.uplink.tls.cert_file,
                                             c.uplink.tls.key_file};
    if (c.uplink.tls.crl_file) files.push_back(*c.uplink.tls.crl_file);
    if (c.uplink.tls.pkcs11) files.push_back(c.uplink.tls.pkcs11->pin_file);
    for (const auto& f : files) {
        std::error_code ec;
        out[f] = std::filesystem::last_write_time(f, ec);
    }
    return out;
}

}  // namespace lintel::app
