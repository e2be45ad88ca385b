// What the OTA service needs from the rest of lintel, as one interface: manifest checks, the
// HTTPS download, the privileged install (lintel-helper), health and reporting. The daemon
// implements it with the real parts; tests with fakes. Every call comes from the loop.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"
#include "ota/manifest.hpp"  // Artifact

namespace lintel::ota {

// What a verified manifest asks for, in the service's own terms.
struct UpdatePlan {
    std::string release_id;
    std::string component;
    std::string version;
    std::string handler;
    std::string min_version;  // the manifest's floor; empty: none
    std::vector<Artifact> artifacts;
    std::map<std::string, std::string> params;
};

struct InstallOutcome {
    bool reboot_required = false;
};

// Downloaded bytes of one artifact so far, and its size.
using ProgressFn = std::function<void(std::uint64_t bytes, std::uint64_t total)>;

class OtaPorts {
public:
    virtual ~OtaPorts() = default;

    // Signature and key, expiry, target, handler allowed, version against what is installed and
    // against the component's anti-rollback floor (`floors`: component -> floor committed so
    // far). A refusal is an Error whose code is the ota.* reason.
    virtual Expected<UpdatePlan> accept(std::string_view manifest,
                                        const std::map<std::string, std::string>& floors) = 0;
    // Negative, zero or positive as a < b, a == b, a > b in the manifest's version order.
    virtual int compare_versions(std::string_view a, std::string_view b) = 0;

    // Fetches one artifact to `destination`, resuming a partial download left there. Errors
    // with code ota.download_failed are worth retrying later; others are final.
    virtual asio::awaitable<Expected<void>> download(const Artifact& artifact,
                                                     const std::filesystem::path& destination,
                                                     ProgressFn progress) = 0;
    // Ends a running download soon with ota.aborted (the emergency stop).
    virtual void cancel_download() = 0;
    // Size and sha256 of a downloaded file (ota.size_mismatch, ota.hash_mismatch, ota.io).
    virtual Expected<void> check_artifact(const Artifact& artifact,
                                          const std::filesystem::path& file) = 0;

    // Through lintel-helper, which verifies the manifest and the files again before it lets
    // the handler install.
    virtual asio::awaitable<Expected<std::optional<std::string>>> installed_version(
        const UpdatePlan& plan) = 0;
    virtual asio::awaitable<Expected<InstallOutcome>> install(
        const UpdatePlan& plan, std::string_view manifest,
        const std::vector<std::filesystem::path>& files) = 0;
    virtual asio::awaitable<Expected<void>> commit(const UpdatePlan& plan) = 0;
    virtual asio::awaitable<Expected<void>> rollback(const UpdatePlan& plan) = 0;
    // Asks for the reboot an install needs (rauc); linteld comes back in state rebooting.
    virtual asio::awaitable<Expected<void>> reboot() = 0;
    // The kernel's boot id (/proc/sys/kernel/random/boot_id): tells a reboot from a restart.
    virtual std::string boot_id() = 0;

    // Whether the gateway is healthy with the new version: for lintel itself, this process runs
    // plan.version; the uplink is connected and the status after the install was acknowledged.
    virtual bool healthy(const UpdatePlan& plan) = 0;

    // An OTA event for the cloud (state changes, progress); queued durably, so true means it
    // will be delivered.
    virtual bool report(const nlohmann::json& event) = 0;
};

}  // namespace lintel::ota
