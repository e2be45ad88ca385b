// What the four ota-* actions share: strict params, the signed-manifest check, the handler plugin,
// its private state directory and lock, the verified artifacts, the call, and one log line naming
// who asked, what, and the outcome. Each action_ota_*.cpp only calls its handler method and
// shapes the result.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "helper/actions.hpp"
#include "helper/ota_request.hpp"
#include "lintel/update_handler.hpp"

namespace lintel::helper {

struct OtaStepOutcome {
    nlohmann::ordered_json result;
    std::string summary;  // for the log line after "ok", e.g. "previous 1.0, reboot required"
};

using OtaInvoke = std::function<Expected<OtaStepOutcome>(sdk::UpdateHandler& handler,
                                                         const sdk::UpdateRequest& request)>;

ActionResult run_ota_step(OtaStep step, const nlohmann::json& params, const ActionContext& context,
                          const OtaInvoke& invoke);

// `step`'s Action (install, commit or rollback) calling `method` of the handler. Its result:
// {"handler","component","version","previous_version","reboot_required","output","details"};
// "version" is the version in effect afterwards when the handler knows it, else null.
using UpdateMethod =
    Expected<sdk::UpdateResult> (sdk::UpdateHandler::*)(const sdk::UpdateRequest& request);
Action ota_update_action(OtaStep step, std::string summary, UpdateMethod method);

}  // namespace lintel::helper
