// The uplink identity's lifecycle inside the daemon (docs/certificates.md): which certificate the
// uplink uses (issued > factory > claim), expiry warnings, renewal (new key, CSR, reply checks,
// atomic switch, reconnect, roll back) and set-crl. Runs on the loop; the daemon gives it hooks.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "identity/identity_store.hpp"
#include "identity/issued_certificate.hpp"
#include "identity/key_source.hpp"
#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "store/command_db.hpp"
#include "uplink/uplink_config.hpp"

namespace lintel::app {

struct IdentityHooks {
    // Publishes on {prefix}/{gateway}/{subtopic} now (QoS 1), or says why not.
    std::function<Expected<void>(std::string_view subtopic, std::string_view payload)> publish;
    // Replaces the uplink session so that it connects with select()'s identity.
    std::function<void(const std::string& why)> reconnect;
    std::function<void(std::string topic, std::string payload)> enqueue;  // outbox ("events")
    std::function<void(store::AuditRecord)> audit;
};

// The identity the uplink connects with.
struct ActiveIdentity {
    std::string source;      // "issued", "factory" or "claim"
    std::string generation;  // issued only
    std::filesystem::path cert;
    std::filesystem::path key;
    // Set when the key is in a PKCS#11 token (uplink.tls.pkcs11): the factory key's URI, or the
    // one a renewal generated in the token (`key` then holds that URI, not a PEM key).
    std::optional<std::string> key_uri;
};

class IdentityRuntime {
public:
    // Opens <state_dir>/identity (0700). An error leaves the gateway on its factory identity.
    static Expected<std::unique_ptr<IdentityRuntime>> start(asio::any_io_executor ex,
                                                            const core::Config& config,
                                                            std::filesystem::path state_dir,
                                                            IdentityHooks hooks, sdk::Logger& log);
    ~IdentityRuntime();

    void reconfigure(const core::Config& config);
    // The identity to connect with now, or nullopt (nothing usable: not provisioned).
    std::optional<ActiveIdentity> select() const;
    // `cfg` with the selected identity and the CRL in use (set-crl's, else uplink.tls.crl_file).
    bool apply(uplink::UplinkConfig& cfg) const;
    std::filesystem::path crl_path() const;

    // The uplink session's link state (connected or not), for the switch and provisioning.
    void on_link(bool connected);
    // A message on {prefix}/{gateway}/certificate.
    void on_reply(std::string_view payload);
    // renew-certificate: starts a renewal now; cert.busy while one is under way.
    Expected<nlohmann::json> renew(const std::string& why);
    // set-crl: checks and stores the CRL and reconnects; refusals carry cert.* codes.
    Expected<nlohmann::json> set_crl(const std::string& pem);
    // The "certificate" member of the status document.
    nlohmann::json status() const;

    struct Impl;

private:
    explicit IdentityRuntime(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<Impl> impl_;
};

}  // namespace lintel::app
