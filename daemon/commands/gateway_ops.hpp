// What command actions may do to the gateway. The daemon implements it; the commands module
// never reaches into the daemon otherwise. Every call comes from the loop.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "lintel/plugin.hpp"
#include "lintel/point.hpp"

namespace lintel::commands {

// apply-config's request: one file of the configuration, replaced or (a fragment) removed.
struct ConfigChange {
    std::string file;                    // "lintel.yaml" or "devices.d/<name>.yaml"
    std::optional<std::string> content;  // nullopt: remove the fragment
    std::chrono::milliseconds confirm_within{120'000};
    // Who asked: the apply is refused if the new trust store would no longer know this key.
    std::string command_id;
    std::string kid;
    std::string principal;
};

// What apply-config did: applied and confirmed (ok), refused before anything was written
// (rejected: cmd.bad_config, cmd.busy), or failed (cmd.rolled_back, cmd.failed).
struct ConfigChangeOutcome {
    enum class Status { applied, refused, failed } status = Status::applied;
    std::string reason;  // cmd.* unless applied
    std::string message;
    nlohmann::json output;
};

class GatewayOps {
public:
    virtual ~GatewayOps() = default;

    // get-status: the same facts as the retained status message, and more.
    virtual nlohmann::json status() = 0;
    // get-config: the running configuration with every secret (key paths' contents never,
    // passwords, PSKs) left out.
    virtual nlohmann::json redacted_config() = 0;
    // A point the device config declared writable, or nullopt.
    virtual std::optional<sdk::WritablePoint> writable(std::string_view device,
                                                       std::string_view point) = 0;
    // The latest value read from a point, as telemetry JSON, or nullopt if none yet.
    virtual std::optional<nlohmann::json> latest_value(std::string_view device,
                                                       std::string_view point) = 0;
    virtual bool has_device(std::string_view device) = 0;
    virtual void write_point(const std::string& device, const std::string& point,
                             const sdk::Value& value, std::function<void(Expected<void>)> done) = 0;
    virtual void set_log_level(sdk::LogLevel level) = 0;
    // Re-reads the configuration as SIGHUP does; the result says whether it was applied.
    virtual void reload_config(std::function<void(Expected<nlohmann::json>)> done) = 0;
    // Stops the device and starts a freshly built one from its configuration.
    virtual Expected<void> restart_device(const std::string& device) = 0;
    // Validates, writes (through lintel-helper), applies and confirms one configuration file,
    // or rolls it back; `done` runs once, possibly minutes later (after the confirmation).
    virtual void apply_config(ConfigChange change,
                              std::function<void(ConfigChangeOutcome)> done) = 0;

    // ota-update: verifies the signed manifest and starts the update; the output says what
    // started (the outcome follows as OTA events, minutes or hours later). ota-abort: the
    // emergency stop. ota-status: the current or last update. Refusals carry the ota.* reason
    // as the error code (docs/ota.md); ota.disabled when OTA is off in the configuration.
    virtual Expected<nlohmann::json> ota_update(const std::string& command_id,
                                                const std::string& manifest) = 0;
    virtual Expected<nlohmann::json> ota_abort(const std::string& why) = 0;
    virtual Expected<nlohmann::json> ota_status() = 0;

    // renew-certificate: starts a renewal of the uplink certificate (new key, CSR); the outcome
    // follows as events (docs/certificates.md). set-crl: checks, stores and uses a new CRL for
    // the broker's CA. Refusals carry the cert.* reason as the error code.
    virtual Expected<nlohmann::json> renew_certificate(const std::string& why) {
        (void)why;
        return make_error("cert.disabled", "the certificate lifecycle is not available");
    }
    virtual Expected<nlohmann::json> set_crl(const std::string& pem) {
        (void)pem;
        return make_error("cert.disabled", "the certificate lifecycle is not available");
    }
    // set-credentials: opens the envelope, applies the bundle through wpa_supplicant and waits
    // for Authorized, or rolls back (docs/credentials.md). `done` runs once, within the
    // authentication deadline twice plus the helper's. The outcome has the shape of
    // apply-config's: applied, refused before anything was written (cred.*), or failed
    // (cred.rolled_back, cred.rollback_failed, cred.apply_failed).
    virtual void set_credentials(const std::string& command_id, const std::string& kid,
                                 const std::string& principal, std::string envelope,
                                 std::function<void(ConfigChangeOutcome)> done) = 0;
};

}  // namespace lintel::commands
