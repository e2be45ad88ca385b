// The "version" action.
#include "helper/action_version.hpp"

#include "helper/dpkg_query.hpp"

#ifndef LINTEL_HELPER_VERSION
#error "LINTEL_HELPER_VERSION must be defined by the build (the CMake project version)"
#endif

namespace lintel::helper {
namespace {

constexpr std::string_view k_package = "lintel";

ActionResult run_version(const nlohmann::json& params, const ActionContext& context) {
    if (auto ok = expect_no_params(params, "version"); !ok) return std::unexpected(ok.error());
    auto state = query_package(context.dpkg_admindir, k_package);
    if (!state) return std::unexpected(state.error());
    nlohmann::ordered_json result;
    result["helper_version"] = helper_version();
    result["package"] = k_package;
    result["package_version"] =
        state->version ? nlohmann::ordered_json(*state->version) : nlohmann::ordered_json(nullptr);
    result["package_status"] = state->status;
    return result;
}

}  // namespace

std::string_view helper_version() { return LINTEL_HELPER_VERSION; }

Action version_action() {
    return Action{"version", "the helper's version and the installed lintel package's version",
                  run_version};
}

}  // namespace lintel::helper
