// Delivered network credentials in the running daemon (set-credentials, docs/credentials.md):
// open the envelope, seal the bundle, have lintel-helper write wpa_supplicant's configuration,
// RECONFIGURE and wait for Authorized; if it does not come, put the previous configuration and
// sealed bundle back and wait for Authorized again. Also the `credentials` status section and
// events on {prefix}/{gateway}/credentials. Built when the `credentials:` section is present.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "commands/gateway_ops.hpp"
#include "core/config.hpp"
#include "credentials/bundle.hpp"
#include "credentials/device_identity.hpp"
#include "credentials/sealed_store.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "wpa/config_file.hpp"
#include "wpa/wpa_control.hpp"

namespace lintel::app {

struct CredentialsHooks {
    // A durable message to {prefix}/{gateway}/<suffix> (the outbox).
    std::function<void(std::string suffix, std::string payload)> enqueue;
    std::function<std::int64_t()> now_ms;
    // The certificate and key the uplink connects with now, when that is not the factory pair
    // (uplink.tls.*): after a renewal or a claim provisioning the cloud addresses envelopes to
    // the issued certificate. Sealing is bound to neither: it has its own key.
    std::function<Expected<std::optional<credentials::DeviceIdentity>>()> issued_identity;
};

// Who asked, for the audit row and the event.
struct CredentialsRequest {
    std::string command_id;
    std::string kid;
    std::string principal;
    std::string envelope;  // base64 of the CMS envelope (lintel-sign credentials)
};

// The device sealing key's name: a file in credentials.store_dir, or a label in the token.
inline constexpr std::string_view k_sealing_key_file = "sealing-key.pem";
inline constexpr std::string_view k_sealing_key_label = "lintel-sealing";

class CredentialsRuntime {
public:
    using Done = std::function<void(commands::ConfigChangeOutcome)>;

    // Opens the device sealing key (made at first start) and the sealed store, re-seals files an
    // older lintel sealed to the factory key, and starts a wpa_supplicant client per interface
    // (they attach whenever wpa_supplicant is up). Runs without any certificate of the gateway
    // (a box not provisioned yet): envelopes are opened with whichever it has when they come.
    static Expected<std::unique_ptr<CredentialsRuntime>> start(
        asio::any_io_executor executor, const core::CredentialsSettings& settings,
        const core::TlsConfig& tls, std::filesystem::path helper_socket, CredentialsHooks hooks,
        sdk::Logger& log);
    ~CredentialsRuntime();

    // set-credentials. `done` runs once: applied (ok), refused before anything was written
    // (cred.* refusals, cred.busy, cred.no_interface), or failed (cred.apply_failed,
    // cred.rolled_back, cred.rollback_failed).
    void apply(CredentialsRequest request, Done done);

    // The status section: per interface, metadata only (never a secret).
    nlohmann::json status() const;
    void stop();

    struct Interface;
    struct Apply;

private:
    CredentialsRuntime(asio::any_io_executor executor, core::CredentialsSettings settings,
                       core::TlsConfig tls, credentials::SealedStore store,
                       std::filesystem::path helper_socket, CredentialsHooks hooks,
                       sdk::Logger& log);
    static Expected<credentials::SealingKey> open_sealing_key(
        const core::CredentialsSettings& settings, const core::TlsConfig& tls);
    Expected<std::optional<credentials::DeviceIdentity>> factory_identity() const;
    void reseal_from_factory_key();
    Expected<credentials::Bundle> open_envelope(const std::string& envelope) const;
    void watch(Interface& i);
    void set_state(Interface& i, std::string state, std::optional<std::string> detail = {});
    void event(const Interface& i, nlohmann::json body);
    void finish(Apply& a, commands::ConfigChangeOutcome outcome);
    void write_and_reconfigure(std::shared_ptr<Apply> a);
    // Waits for Authorized after a RECONFIGURE: with the new credentials, or (`previous`) the
    // restored ones.
    void await_authorized(std::shared_ptr<Apply> a, bool previous);
    void new_authorized(std::shared_ptr<Apply> a);
    void roll_back(std::shared_ptr<Apply> a, Error cause);
    void previous_authorized(std::shared_ptr<Apply> a, Expected<wpa::Authorized> ok);
    void undo_seal();
    static std::string cause_text(const Apply& a);
    static nlohmann::json rollback_output(const Apply& a);
    void helper_call(nlohmann::json params, std::function<void(Expected<nlohmann::json>)> done);
    // `f` as a handler that does nothing once this runtime stopped or is gone: WpaControl and
    // the helper client run handlers later, on the loop (close() fails waiting ones).
    template <typename F>
    auto guard(F f) {
        return [this, life = std::weak_ptr<char>(life_), f = std::move(f)](auto&&... args) mutable {
            if (life.expired() || stopped_) return;
            f(std::forward<decltype(args)>(args)...);
        };
    }

    asio::any_io_executor executor_;
    core::CredentialsSettings settings_;
    core::TlsConfig tls_;  // where the factory certificate and key are
    credentials::SealedStore store_;
    std::filesystem::path helper_socket_;
    CredentialsHooks hooks_;
    sdk::Logger& log_;
    std::map<std::string, std::unique_ptr<Interface>> interfaces_;  // by type: wired, wifi
    bool busy_ = false;
    bool stopped_ = false;
    std::shared_ptr<char> life_ = std::make_shared<char>();
};

// The helper's params for writing `bundle` to `file` (a name in its --wpa-config-dir), and the
// dry-run rendering linteld does first: wpa.bad_value before anything is written.
nlohmann::json wpa_write_params(const credentials::Bundle& bundle, const std::string& file);
Expected<void> check_renderable(const credentials::Bundle& bundle);

}  // namespace lintel::app
