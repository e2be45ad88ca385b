// The "ota-installed-version" action: the handler's installed_version(), through run_ota_step.
#include "helper/action_ota_installed_version.hpp"

#include "helper/ota_action.hpp"

namespace lintel::helper {
namespace {

Expected<OtaStepOutcome> query(sdk::UpdateHandler& handler, const sdk::UpdateRequest& request) {
    auto installed = handler.installed_version(request);
    if (!installed) return std::unexpected(installed.error());
    nlohmann::ordered_json result;
    result["version"] = installed->version ? nlohmann::ordered_json(*installed->version)
                                           : nlohmann::ordered_json(nullptr);
    result["details"] = nlohmann::ordered_json::object();
    for (const auto& [key, value] : installed->details) result["details"][key] = value;
    return OtaStepOutcome{std::move(result),
                          installed->version ? "version " + *installed->version : "not installed"};
}

}  // namespace

Action ota_installed_version_action() {
    return Action{"ota-installed-version",
                  "the version an update handler plugin says is installed for a component",
                  [](const nlohmann::json& params, const ActionContext& context) {
                      return run_ota_step(OtaStep::installed_version, params, context, query);
                  }};
}

}  // namespace lintel::helper
