// One update handler made ready for a call: the plugins checked and loaded, the handler's private
// state directory opened and locked, an instance created, and the host it calls back into. Shared
// by the ota-* actions and --ota-recover.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "helper/actions.hpp"
#include "helper/handler_loader.hpp"
#include "helper/ota_host.hpp"
#include "helper/ota_state.hpp"
#include "lintel/update_handler.hpp"

namespace lintel::helper {

class OtaSession {
public:
    // `step`: the name the handler's log lines are prefixed with ("ota-install"). `lock_wait`:
    // how long to wait for another request on the same handler (0: ota.busy at once). Errors:
    // helper.internal (directories not set), the plugin loader's ota.*, helper.unsafe_path,
    // ota.busy.
    static Expected<std::unique_ptr<OtaSession>> open(
        std::string_view step, const ActionContext& context, const std::string& handler,
        const std::string& component, std::chrono::steady_clock::time_point deadline,
        std::chrono::milliseconds lock_wait = std::chrono::milliseconds(0));

    OtaSession(const OtaSession&) = delete;
    OtaSession& operator=(const OtaSession&) = delete;

    sdk::UpdateHandler& handler() { return *instance_; }
    const StateDirs& dirs() const { return dirs_; }
    // A call with component, `params`, the handler's settings, its state dir, the deadline and
    // the host set; the caller adds version and artifacts.
    sdk::UpdateRequest request(const std::map<std::string, std::string>& params = {});

private:
    OtaSession(HandlerPlugin::Instance instance, StateDirs dirs, std::string log_prefix,
               std::chrono::steady_clock::time_point deadline)
        : instance_(std::move(instance)),
          dirs_(std::move(dirs)),
          host_(std::move(log_prefix), deadline),
          deadline_(deadline) {}

    HandlerPlugin::Instance instance_;
    StateDirs dirs_;  // dirs_.handler holds the lock until the session ends
    HelperUpdateHost host_;
    std::chrono::steady_clock::time_point deadline_;
    std::string component_;
    std::map<std::string, std::string> settings_;
};

}  // namespace lintel::helper
