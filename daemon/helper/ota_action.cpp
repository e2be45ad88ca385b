// run_ota_step: the order of checks before an update handler runs, what the helper records after
// it ran, and the step's log line.
#include "helper/ota_action.hpp"

#include <unistd.h>

#include <optional>

#include "helper/helper_log.hpp"
#include "helper/ota_artifacts.hpp"
#include "helper/ota_manifest_check.hpp"
#include "helper/ota_records.hpp"
#include "helper/ota_session.hpp"

namespace lintel::helper {
namespace {

using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

ordered_json optional_json(const std::optional<std::string>& value) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
}

// ota-install, once the handler is loaded and locked: whether the verified release applies given
// what the handler says is installed and the helper's own floor, then the private copies of the
// artifacts, then the pending record. Nothing is copied or installed when a check fails.
Expected<StagedArtifacts> prepare_install(const OtaParams& request, const ActionContext& context,
                                          const VerifiedRelease& release, OtaSession& session,
                                          OtaRecords& records) {
    auto installed = session.handler().installed_version(session.request(request.params));
    if (!installed) return std::unexpected(installed.error());
    auto floor = records.floor();
    if (!floor) return std::unexpected(floor.error());
    if (auto applies = check_installable(release, installed->version, *floor); !applies) {
        return std::unexpected(applies.error());
    }
    auto incoming = private_child(session.dirs().root, ".incoming");
    if (!incoming) return std::unexpected(incoming.error());
    auto copies = StagedArtifacts::copy_verified(request.artifacts, context.ota_staging_dir,
                                                 incoming->path() / std::to_string(::getpid()));
    if (!copies) return std::unexpected(copies.error());
    if (auto recorded = records.begin_install(request.manifest); !recorded) {
        return std::unexpected(recorded.error());
    }
    return std::move(*copies);
}

ActionResult run_checked(OtaStep step, const OtaParams& request, const ActionContext& context,
                         const OtaInvoke& invoke, std::string& summary, ManifestLabel& label) {
    // ota-install trusts nothing linteld says before the helper has verified the manifest itself.
    std::optional<VerifiedRelease> release;
    if (step == OtaStep::install) {
        auto verified = verify_install_request(request, context.config_dir, unix_now_ms());
        if (!verified) {
            label = label_of(request.manifest, nullptr);
            return std::unexpected(verified.error());
        }
        release.emplace(std::move(*verified));
        label = label_of(request.manifest, &release->manifest);
    }
    const auto deadline = Clock::now() + request.timeout;
    auto session =
        OtaSession::open(action_name(step), context, request.handler, request.component, deadline);
    if (!session) return std::unexpected(session.error());
    std::optional<OtaRecords> records;
    if (step != OtaStep::installed_version) {
        auto opened = OtaRecords::open((*session)->dirs().root, request.handler, request.component);
        if (!opened) return std::unexpected(opened.error());
        records.emplace(std::move(*opened));
    }

    std::optional<StagedArtifacts> staged;
    if (release) {
        auto prepared = prepare_install(request, context, *release, **session, *records);
        if (!prepared) return std::unexpected(prepared.error());
        staged.emplace(std::move(*prepared));
    }

    sdk::UpdateRequest call = (*session)->request(request.params);
    call.version = request.version;
    if (staged) call.artifacts = staged->artifacts();
    auto outcome = invoke((*session)->handler(), call);
    if (!outcome) return std::unexpected(outcome.error());
    summary = outcome->summary;
    ordered_json result;
    result["handler"] = request.handler;
    result["component"] = request.component;
    for (auto& [key, value] : outcome->result.items()) result[key] = std::move(value);

    if (step == OtaStep::commit) {
        // The handler committed: the helper's own floor follows the pending release's manifest.
        auto floor = records->commit(request.version);
        if (!floor) {
            return make_error(floor.error().code,
                              request.component + " " + request.version +
                                  " is committed, but the helper could not record its "
                                  "anti-rollback floor (ota-commit again to retry): " +
                                  floor.error().message);
        }
        result["floor"] = optional_json(*floor);
        summary += std::string(summary.empty() ? "" : ", ") + "floor " + floor->value_or("unset");
    } else if (step == OtaStep::rollback) {
        if (auto forgot = records->forget_pending(); !forgot) {
            log_line(LogLevel::warning,
                     "ota-rollback: rolled back, but the pending record stays: " +
                         forgot.error().message);
        }
    }
    return result;
}

ordered_json update_result_json(const sdk::UpdateResult& result) {
    ordered_json out;
    out["version"] = optional_json(result.version);
    out["previous_version"] = optional_json(result.previous_version);
    out["reboot_required"] = result.reboot_required;
    out["output"] = result.output;
    out["details"] = ordered_json::object();
    for (const auto& [key, value] : result.details) out["details"][key] = value;
    return out;
}

std::string update_summary(const sdk::UpdateResult& result) {
    std::string out;
    if (result.previous_version) out += "previous " + *result.previous_version + ", ";
    if (result.version) out += "now " + *result.version + ", ";
    out += result.reboot_required ? "reboot required" : "no reboot needed";
    return out;
}

}  // namespace

ActionResult run_ota_step(OtaStep step, const nlohmann::json& params, const ActionContext& context,
                          const OtaInvoke& invoke) {
    auto request = parse_ota_params(params, step);
    if (!request) return std::unexpected(request.error());
    std::string summary;
    ManifestLabel label;
    ActionResult result = run_checked(step, *request, context, invoke, summary, label);

    std::string line = std::string(action_name(step)) + ": handler=" + request->handler +
                       " component=" + request->component;
    if (!request->version.empty()) line += " version=" + request->version;
    if (step == OtaStep::install) line += " release=" + label.release_id + " kid=" + label.kid;
    line += " for " + asked_by(context) + ": ";
    if (result) {
        line += "ok" + (summary.empty() ? std::string() : " (" + summary + ")");
    } else {
        line += "failed: " + result.error().code + " (" + result.error().message + ")";
    }
    log_line(result ? LogLevel::info : LogLevel::warning, line);
    return result;
}

Action ota_update_action(OtaStep step, std::string summary, UpdateMethod method) {
    return Action{
        std::string(action_name(step)), std::move(summary),
        [step, method](const nlohmann::json& params, const ActionContext& context) {
            return run_ota_step(
                step, params, context,
                [method](sdk::UpdateHandler& handler,
                         const sdk::UpdateRequest& request) -> Expected<OtaStepOutcome> {
                    auto result = (handler.*method)(request);
                    if (!result) return std::unexpected(result.error());
                    return OtaStepOutcome{update_result_json(*result), update_summary(*result)};
                });
        }};
}

}  // namespace lintel::helper
