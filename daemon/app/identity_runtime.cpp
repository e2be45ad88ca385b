// The identity lifecycle's state machine (idle -> requesting -> switching -> idle) with a deadline
// on each step, expiry warnings and set-crl; OpenSSL stays behind daemon/identity.
#include "app/identity_runtime.hpp"

#include <fstream>
#include <sstream>

#include "commands/random.hpp"
#include "common/atomic_file.hpp"
#include "identity/cert_reply.hpp"
#include "identity/crl_update.hpp"
#include "identity/expiry_alerts.hpp"
#include "identity/reason_codes.hpp"
#include "identity/token_key_source.hpp"
#include "lintel/config_reader.hpp"

namespace lintel::app {

namespace reason = identity::reason;
using json = nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

// Expiry and renewal are checked this often (and whenever the uplink connects).
constexpr auto k_check_interval = std::chrono::hours(1);

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool exists(const std::optional<std::filesystem::path>& p) {
    std::error_code ec;
    return p && std::filesystem::exists(*p, ec);
}

}  // namespace

struct IdentityRuntime::Impl : std::enable_shared_from_this<Impl> {
    enum class Phase { idle, requesting, switching };

    Impl(asio::any_io_executor ex, identity::IdentityStore store, std::filesystem::path state_dir,
         IdentityHooks hooks, sdk::Logger& log)
        : ex_(ex),
          store_(std::move(store)),
          state_dir_(std::move(state_dir)),
          hooks_(std::move(hooks)),
          log_(log),
          check_timer_(ex),
          step_timer_(ex) {}

    asio::any_io_executor ex_;
    identity::IdentityStore store_;
    std::filesystem::path state_dir_;
    IdentityHooks hooks_;
    sdk::Logger& log_;
    std::unique_ptr<identity::KeySource> keys_;
    std::string key_source_problem_;  // why keys_ is empty

    // New keys go where the factory key is: a file, or the same PKCS#11 token.
    void choose_key_source(const core::TlsConfig& tls) {
        keys_.reset();
        key_source_problem_.clear();
        if (!tls.pkcs11) {
            keys_ = identity::make_file_key_source();
            return;
        }
        auto token = identity::make_token_key_source(tls.key_file.string(), *tls.pkcs11);
        if (!token) {
            key_source_problem_ = token.error().message;
            log_.error("certificate renewal is unavailable: the token for new keys is unusable",
                       {{"REASON", key_source_problem_}});
            return;
        }
        keys_ = std::move(*token);
    }
    asio::steady_timer check_timer_;
    asio::steady_timer step_timer_;
    std::string gateway_id_;
    core::TlsConfig tls_;
    core::IdentitySettings settings_;

    Phase phase_ = Phase::idle;
    bool connected_ = false;
    std::string why_;
    int attempt_ = 0;
    std::string request_id_;
    identity::Pkey pending_key_;
    Steady::time_point started_{};
    Steady::time_point reply_at_{};
    std::string switched_from_;  // the source we left, for the log
    json last_ = nullptr;        // the last renewal's outcome

    std::filesystem::path client_ca() const { return settings_.ca_file.value_or(tls_.ca_file); }
    std::filesystem::path crl_path() const { return store_.dir() / "crl.pem"; }

    // --- which identity ----------------------------------------------------------------
    bool issued_usable(const identity::IdentityFiles& files) const {
        if (!keys_) return false;
        auto key = keys_->load(files.key);
        auto text = read_text(files.cert);
        if (!key || !text) return false;
        identity::IssueExpectations e;
        e.ca_file = client_ca();
        e.gateway_id = gateway_id_;
        e.key = key->get();
        auto checked = identity::check_issued_certificate(*text, e);
        if (!checked) {
            log_.warning("the issued identity is not usable; falling back",
                         {{"GENERATION", files.generation},
                          {"CODE", checked.error().code},
                          {"REASON", checked.error().message}});
        }
        return checked.has_value();
    }

    // Cached: the status document asks every few seconds, and an unusable issued identity is
    // logged once per change, not per question. Invalidated on every switch and hourly.
    mutable std::optional<std::optional<ActiveIdentity>> selected_;
    void invalidate() { selected_.reset(); }

    std::optional<ActiveIdentity> select() const {
        if (!selected_) selected_ = compute_selection();
        return *selected_;
    }

    std::optional<ActiveIdentity> compute_selection() const {
        if (store_.current() && issued_usable(*store_.current())) {
            const auto& c = *store_.current();
            ActiveIdentity active{"issued", c.generation, c.cert, c.key, std::nullopt};
            if (tls_.pkcs11) {
                auto uri = identity::read_key_uri(c.key);
                if (!uri) return std::nullopt;  // unreachable: issued_usable loaded it
                active.key_uri = std::move(*uri);
            }
            return active;
        }
        // A token key (uplink.tls.pkcs11) is no file: the token is asked at connect time.
        if (exists(tls_.cert_file) && (tls_.pkcs11 || exists(tls_.key_file))) {
            ActiveIdentity active{"factory", "", tls_.cert_file, tls_.key_file, std::nullopt};
            if (tls_.pkcs11) active.key_uri = tls_.key_file.string();
            return active;
        }
        if (exists(settings_.claim_cert_file) && exists(settings_.claim_key_file))
            return ActiveIdentity{"claim", "", *settings_.claim_cert_file,
                                  *settings_.claim_key_file, std::nullopt};
        return std::nullopt;
    }

    // --- events and audit -------------------------------------------------------------
    void event(const std::string& name, json fields) {
        fields["v"] = 1;
        fields["gateway"] = gateway_id_;
        fields["ts"] = now_ms();
        fields["event"] = name;
        if (hooks_.enqueue) hooks_.enqueue("events", fields.dump());
    }

    void audit(const std::string& action, const std::string& decision, std::string_view code,
               const std::string& detail) {
        if (!hooks_.audit) return;
        store::AuditRecord a;
        a.ts_ms = now_ms();
        a.source = "identity";
        a.principal = "linteld";
        a.action = action;
        a.decision = decision;
        a.reason = std::string(code);
        a.detail = detail;
        hooks_.audit(std::move(a));
    }

    // --- periodic checks ----------------------------------------------------------------
    void arm_check(std::chrono::milliseconds after) {
        check_timer_.expires_after(after);
        std::weak_ptr<Impl> weak = shared_from_this();
        check_timer_.async_wait([weak](const boost::system::error_code& ec) {
            if (auto self = weak.lock(); self && !ec) self->check();
        });
    }

    void check() {
        arm_check(k_check_interval);
        invalidate();  // an issued certificate may have expired meanwhile
        auto active = select();
        if (!active) return;
        if (active->source == "claim") {
            // Provisioning starts on connect; this retries it after a failed attempt.
            if (phase_ == Phase::idle && connected_) (void)start_renewal("provisioning");
            return;
        }
        auto facts = identity::certificate_facts_of_file(active->cert);
        if (!facts) return;
        warn_expiry(*facts);
        const std::int64_t left = facts->not_after_ms - now_ms();
        if (phase_ == Phase::idle && connected_ && left <= settings_.renew_before.count())
            (void)start_renewal("renewal");
    }

    void warn_expiry(const identity::CertificateFacts& facts) {
        const auto record_path = store_.dir() / "expiry.json";
        auto record = identity::read_expiry_record(record_path);
        auto due = identity::take_due_thresholds(facts.not_after_ms, now_ms(),
                                                 settings_.warn_before, record);
        if (due.empty()) return;
        const auto days_left = (facts.not_after_ms - now_ms()) / 86'400'000;
        log_.warning("the uplink certificate expires soon",
                     {{"SERIAL", facts.serial},
                      {"DAYS_LEFT", std::to_string(days_left)},
                      {"NEXT", "renewal starts " + sdk::format_duration(settings_.renew_before) +
                                   " before expiry (or: renew-certificate)"}});
        event("certificate-expiring", {{"serial", facts.serial},
                                       {"not_after", facts.not_after_ms},
                                       {"days_left", days_left},
                                       {"threshold_s", due.front().count() / 1000}});
        if (auto w = identity::write_expiry_record(record_path, record); !w) {
            log_.warning("cannot record the expiry warning; it may repeat after a restart",
                         {{"REASON", w.error().message}});
        }
    }

    // --- renewal ------------------------------------------------------------------------
    Expected<json> start_renewal(const std::string& why) {
        if (phase_ != Phase::idle)
            return make_error(std::string(reason::busy), "a certificate renewal is under way");
        if (!keys_) {
            return make_error(std::string(reason::key_failed),
                              "no key source: " + key_source_problem_);
        }
        if (auto r = store_.reset_pending(); !r) return fail_now(r.error());
        if (auto g = keys_->generate(store_.pending_key()); !g) return fail_now(g.error());
        auto key = keys_->load(store_.pending_key());
        if (!key) return fail_now(key.error());
        pending_key_ = std::move(*key);
        phase_ = Phase::requesting;
        why_ = why;
        attempt_ = 0;
        started_ = Steady::now();
        log_.info("certificate renewal started: new key generated on the gateway",
                  {{"WHY", why}, {"KEY", store_.pending_key().string()}});
        audit("renew-certificate", "executed", "", "started (" + why + ")");
        event("certificate-renewal-started", {{"why", why}});
        send_request();
        return json{{"state", "requesting"}, {"why", why}};
    }

    std::unexpected<Error> fail_now(const Error& e) {
        log_.error("certificate renewal cannot start", {{"CODE", e.code}, {"REASON", e.message}});
        (void)store_.discard_pending();
        return std::unexpected(e);
    }

    void send_request() {
        ++attempt_;
        if (attempt_ > settings_.attempts) {
            finish_failure(
                std::string(reason::timeout),
                "no usable certificate after " + std::to_string(settings_.attempts) + " CSR(s)");
            return;
        }
        auto id = commands::random_hex(16);
        auto csr = keys_->sign_csr(*pending_key_, gateway_id_);
        if (!id || !csr) {
            finish_failure(std::string(reason::key_failed),
                           !id ? id.error().message : csr.error().message);
            return;
        }
        request_id_ = *id;
        const std::string payload =
            identity::csr_request_json({request_id_, gateway_id_, *csr, why_});
        auto sent = hooks_.publish ? hooks_.publish("csr", payload)
                                   : Expected<void>(make_error("uplink.offline", "no uplink"));
        if (sent) {
            log_.info("CSR published; waiting for the certificate",
                      {{"REQUEST_ID", request_id_},
                       {"ATTEMPT", std::to_string(attempt_)},
                       {"TIMEOUT", sdk::format_duration(settings_.reply_timeout)}});
        } else {
            log_.warning("CSR not sent; retrying after the reply timeout",
                         {{"REASON", sent.error().message}});
        }
        arm_step(settings_.reply_timeout, Phase::requesting);
    }

    void arm_step(std::chrono::milliseconds after, Phase expected) {
        step_timer_.expires_after(after);
        std::weak_ptr<Impl> weak = shared_from_this();
        const std::string id = request_id_;
        step_timer_.async_wait([weak, expected, id](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!self || ec || self->phase_ != expected || self->request_id_ != id) return;
            if (expected == Phase::requesting) {
                self->log_.warning("no certificate reply in time", {{"REQUEST_ID", id}});
                self->event("certificate-reply-timeout", {{"request_id", id}});
                self->send_request();
            } else {
                self->roll_back();
            }
        });
    }

    void on_reply(std::string_view payload) {
        auto reply = identity::parse_cert_reply(payload);
        if (!reply) {
            log_.warning("certificate reply refused",
                         {{"CODE", reply.error().code}, {"REASON", reply.error().message}});
            audit("certificate-reply", "rejected", reply.error().code, reply.error().message);
            return;
        }
        if (phase_ != Phase::requesting || reply->request_id != request_id_) {
            log_.info("certificate reply for another request ignored",
                      {{"REQUEST_ID", reply->request_id}});
            return;
        }
        reply_at_ = Steady::now();
        if (reply->error) {
            step_timer_.cancel();
            log_.warning("the signer refused the CSR", {{"REASON", *reply->error}});
            audit("certificate-reply", "rejected", reason::signer_refused, *reply->error);
            finish_failure(std::string(reason::signer_refused), *reply->error);
            return;
        }
        identity::IssueExpectations e;
        e.ca_file = client_ca();
        e.gateway_id = gateway_id_;
        e.key = pending_key_.get();
        auto active = select();
        if (active && active->source != "claim") {
            if (auto old = identity::certificate_facts_of_file(active->cert))
                e.must_outlast_ms = old->not_after_ms;
        }
        auto checked = identity::check_issued_certificate(*reply->certificate_pem, e);
        if (!checked) {
            log_.warning("issued certificate refused; the current identity stays",
                         {{"CODE", checked.error().code}, {"REASON", checked.error().message}});
            audit("certificate-reply", "rejected", checked.error().code, checked.error().message);
            event("certificate-refused",
                  {{"reason", checked.error().code}, {"message", checked.error().message}});
            step_timer_.cancel();
            send_request();  // a fresh request: a signer glitch may pass the next time
            return;
        }
        auto promoted = store_.promote_pending(*reply->certificate_pem);
        invalidate();
        if (!promoted) {
            step_timer_.cancel();
            finish_failure(std::string(reason::store_failed), promoted.error().message);
            return;
        }
        switched_from_ = active ? active->source : "none";
        phase_ = Phase::switching;
        log_.info("new certificate accepted; reconnecting with it",
                  {{"SERIAL", checked->serial},
                   {"GENERATION", promoted->generation},
                   {"DEADLINE", sdk::format_duration(settings_.switch_timeout)}});
        audit("certificate-switch", "executed", "",
              "serial " + checked->serial + " as " + promoted->generation);
        arm_step(settings_.switch_timeout, Phase::switching);
        if (hooks_.reconnect) hooks_.reconnect("new uplink certificate");
    }

    void on_link(bool connected) {
        connected_ = connected;
        if (!connected) return;
        if (phase_ == Phase::switching) {
            step_timer_.cancel();
            phase_ = Phase::idle;
            pending_key_.reset();
            const auto total =
                std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - started_);
            const auto reconnect =
                std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - reply_at_);
            auto facts = store_.current()
                             ? identity::certificate_facts_of_file(store_.current()->cert)
                             : Expected<identity::CertificateFacts>(
                                   make_error("cert.none", "no issued identity"));
            const std::string serial = facts ? facts->serial : "?";
            log_.info("connected with the new certificate",
                      {{"SERIAL", serial},
                       {"CSR_TO_CONNECTED_MS", std::to_string(total.count())},
                       {"REPLY_TO_CONNECTED_MS", std::to_string(reconnect.count())}});
            last_ = {{"result", "renewed"},
                     {"serial", serial},
                     {"at", now_ms()},
                     {"csr_to_connected_ms", total.count()}};
            event("certificate-renewed", {{"serial", serial},
                                          {"from", switched_from_},
                                          {"csr_to_connected_ms", total.count()}});
            audit("certificate-switch", "executed", "", "connected with serial " + serial);
            check();  // expiry warnings for the new certificate
            return;
        }
        auto active = select();
        if (phase_ == Phase::idle && active && active->source == "claim") {
            log_.info("connected with the claim certificate: requesting this gateway's own");
            (void)start_renewal("provisioning");
            return;
        }
        check();
    }

    void roll_back() {
        const auto refused = store_.current();
        log_.error(
            "the broker did not accept the new certificate in time; rolling back to the "
            "previous identity",
            {{"GENERATION", refused ? refused->generation : "?"},
             {"DEADLINE", sdk::format_duration(settings_.switch_timeout)}});
        if (auto r = store_.roll_back(); !r) {
            log_.error("rollback failed", {{"REASON", r.error().message}});
        }
        invalidate();
        finish_failure(std::string(reason::rolled_back),
                       "not connected within " + sdk::format_duration(settings_.switch_timeout));
        if (hooks_.reconnect) hooks_.reconnect("rollback to the previous uplink certificate");
    }

    void finish_failure(const std::string& code, const std::string& message) {
        phase_ = Phase::idle;
        pending_key_.reset();
        request_id_.clear();
        (void)store_.discard_pending();
        last_ = {{"result", "failed"}, {"reason", code}, {"message", message}, {"at", now_ms()}};
        log_.error("certificate renewal failed; the current identity stays",
                   {{"CODE", code},
                    {"REASON", message},
                    {"RETRY_IN", sdk::format_duration(settings_.retry_interval)}});
        event("certificate-renewal-failed", {{"reason", code}, {"message", message}});
        audit("renew-certificate", "failed", code, message);
        arm_check(settings_.retry_interval);
    }

    // --- status -------------------------------------------------------------------------
    json status() const {
        auto active = select();
        if (!active) return nullptr;
        json out{{"source", active->source}};
        if (!active->generation.empty()) out["generation"] = active->generation;
        if (auto facts = identity::certificate_facts_of_file(active->cert)) {
            out["serial"] = facts->serial;
            out["not_after"] = facts->not_after_ms;
            out["expires_in_days"] = (facts->not_after_ms - now_ms()) / 86'400'000;
        } else {
            out["error"] = facts.error().message;
        }
        static constexpr const char* k_phase[] = {"idle", "requesting", "switching"};
        out["renewal"] = {{"state", k_phase[static_cast<int>(phase_)]}, {"last", last_}};
        return out;
    }
};

Expected<std::unique_ptr<IdentityRuntime>> IdentityRuntime::start(asio::any_io_executor ex,
                                                                  const core::Config& config,
                                                                  std::filesystem::path state_dir,
                                                                  IdentityHooks hooks,
                                                                  sdk::Logger& log) {
    auto store = identity::IdentityStore::open(state_dir / "identity");
    if (!store) return std::unexpected(store.error());
    auto impl =
        std::make_shared<Impl>(ex, std::move(*store), std::move(state_dir), std::move(hooks), log);
    std::unique_ptr<IdentityRuntime> runtime(new IdentityRuntime(impl));
    runtime->reconfigure(config);
    impl->arm_check(k_check_interval);
    return runtime;
}

IdentityRuntime::~IdentityRuntime() {
    impl_->check_timer_.cancel();
    impl_->step_timer_.cancel();
}

void IdentityRuntime::reconfigure(const core::Config& config) {
    impl_->gateway_id_ = config.gateway_id;
    if (!impl_->keys_ || impl_->tls_.key_file != config.uplink.tls.key_file ||
        impl_->tls_.pkcs11 != config.uplink.tls.pkcs11) {
        impl_->choose_key_source(config.uplink.tls);
    }
    impl_->tls_ = config.uplink.tls;
    impl_->settings_ = config.uplink.identity;
    impl_->invalidate();
}

std::optional<ActiveIdentity> IdentityRuntime::select() const { return impl_->select(); }

std::filesystem::path IdentityRuntime::crl_path() const { return impl_->crl_path(); }

bool IdentityRuntime::apply(uplink::UplinkConfig& cfg) const {
    auto active = select();
    if (!active) return false;
    cfg.tls.cert_file = active->cert;
    cfg.claim = active->source == "claim";
    if (active->key_uri) {
        cfg.tls.key_file = *active->key_uri;  // the token settings stay
    } else {
        cfg.tls.key_file = active->key;
        cfg.tls.pkcs11.reset();  // a file key (claim keys are always files)
    }
    if (std::error_code ec; std::filesystem::exists(crl_path(), ec)) cfg.tls.crl_file = crl_path();
    return true;
}

void IdentityRuntime::on_link(bool connected) { impl_->on_link(connected); }

void IdentityRuntime::on_reply(std::string_view payload) { impl_->on_reply(payload); }

Expected<json> IdentityRuntime::renew(const std::string& why) { return impl_->start_renewal(why); }

Expected<json> IdentityRuntime::set_crl(const std::string& pem) {
    Impl& s = *impl_;
    std::optional<std::string> current = read_text(s.crl_path());
    if (!current && s.tls_.crl_file) current = read_text(*s.tls_.crl_file);
    auto facts = identity::check_crl_update(
        pem, s.tls_.ca_file, current ? std::optional<std::string_view>(*current) : std::nullopt,
        std::chrono::system_clock::now());
    if (!facts) {
        s.log_.warning("set-crl refused",
                       {{"CODE", facts.error().code}, {"REASON", facts.error().message}});
        return std::unexpected(facts.error());
    }
    if (auto w = common::write_file_atomically(s.crl_path(), pem, 0644); !w)
        return make_error(std::string(reason::store_failed), w.error().message);
    json out{{"issuer", facts->issuer},
             {"this_update", facts->this_update_ms},
             {"revoked", facts->revoked},
             {"path", s.crl_path().string()}};
    if (facts->number) out["crl_number"] = *facts->number;
    if (facts->next_update_ms) out["next_update"] = *facts->next_update_ms;
    s.log_.info("new CRL stored; reconnecting so the uplink uses it",
                {{"CRL_NUMBER", facts->number.value_or("none")},
                 {"REVOKED", std::to_string(facts->revoked)}});
    s.event("crl-updated", out);
    if (s.hooks_.reconnect) s.hooks_.reconnect("new CRL");
    return out;
}

json IdentityRuntime::status() const { return impl_->status(); }

}  // namespace lintel::app
