// run_ota_step: the order of checks before an update handler runs, and its log line.
#include "helper/ota_action.hpp"

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "helper/atomic_file.hpp"
#include "helper/handler_loader.hpp"
#include "helper/helper_log.hpp"
#include "helper/ota_artifacts.hpp"
#include "helper/ota_codes.hpp"
#include "helper/ota_host.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr mode_t k_private_dir = 0700;

// TODO(ota-manifest): re-check the signed manifest here before anything else runs. linteld is
// not trusted: the helper must verify itself that handler, component, version and every
// artifact's sha256/size come from a manifest signed by an OTA key (the manifest library of
// daemon/ota provides the check; the request will then carry the manifest and its signature).
// Until then the helper trusts the request's sha256/size, which it does check the files against.
Expected<void> verify_signed_manifest(const OtaParams& request, const ActionContext& context) {
    (void)request;
    (void)context;
    return {};
}

std::string asked_by(const ActionContext& context) {
    return context.peer_uid ? "uid " + std::to_string(*context.peer_uid) : "uid ?";
}

// A directory the helper keeps private: owned by the user it runs as, nothing for group/others.
Expected<void> check_private(const OpenDirectory& dir) {
    struct stat st {};
    if (::fstat(dir.fd(), &st) != 0) {
        return make_error(std::string(codes::internal),
                          "cannot inspect " + dir.path().string() + ": " + std::strerror(errno));
    }
    if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return make_error(std::string(codes::unsafe_path),
                          dir.path().string() + " is owned by uid " + std::to_string(st.st_uid) +
                              " with mode " + mode +
                              "; handler state must be the helper's own, mode 0700");
    }
    return {};
}

Expected<OpenDirectory> private_child(const OpenDirectory& parent, const std::string& name) {
    auto child = parent.open_child(name, k_private_dir);
    if (!child) return std::unexpected(child.error());
    if (auto ok = check_private(**child); !ok) return std::unexpected(ok.error());
    return std::move(**child);
}

struct StateDirs {
    OpenDirectory root;       // --ota-state-dir
    OpenDirectory handler;    // root/<handler>: locked for the whole call
    OpenDirectory component;  // root/<handler>/<component>: the handler's state_dir
};

Expected<StateDirs> open_state_dirs(const fs::path& state_root, const OtaParams& request) {
    auto parent = OpenDirectory::open(state_root.parent_path());
    if (!parent) return std::unexpected(parent.error());
    auto root = private_child(*parent, state_root.filename().string());
    if (!root) return std::unexpected(root.error());
    auto handler = private_child(*root, request.handler);
    if (!handler) return std::unexpected(handler.error());
    auto component = private_child(*handler, request.component);
    if (!component) return std::unexpected(component.error());
    return StateDirs{std::move(*root), std::move(*handler), std::move(*component)};
}

// One request per handler at a time (two dpkg runs, or an install racing its own rollback, would
// leave state nobody can reason about). Held until the process exits or the fd closes.
Expected<void> lock(const OpenDirectory& handler_dir, const std::string& handler) {
    if (::flock(handler_dir.fd(), LOCK_EX | LOCK_NB) == 0) return {};
    if (errno == EWOULDBLOCK) {
        return make_error(std::string(ota_codes::busy),
                          "another request is using handler \"" + handler +
                              "\" right now; try again when it finished");
    }
    return make_error(std::string(codes::internal),
                      "cannot lock " + handler_dir.path().string() + ": " + std::strerror(errno));
}

ActionResult run_checked(OtaStep step, const OtaParams& request, const ActionContext& context,
                         const OtaInvoke& invoke, std::string& summary) {
    if (auto signed_ok = verify_signed_manifest(request, context); !signed_ok) {
        return std::unexpected(signed_ok.error());
    }
    if (context.plugin_dir.empty() || context.ota_state_dir.empty() ||
        context.ota_staging_dir.empty()) {
        return make_error(std::string(codes::internal),
                          "the plugin, staging or state directory is not set");
    }
    auto plugins = HandlerSet::load(context.plugin_dir);
    if (!plugins) return std::unexpected(plugins.error());
    auto plugin = plugins->find(request.handler);
    if (!plugin) return std::unexpected(plugin.error());
    for (const auto& refused : plugins->refused()) {
        log_line(LogLevel::warning, "ignored an update-handler plugin: " + refused.message);
    }

    auto dirs = open_state_dirs(context.ota_state_dir, request);
    if (!dirs) return std::unexpected(dirs.error());
    if (auto locked = lock(dirs->handler, request.handler); !locked) {
        return std::unexpected(locked.error());
    }
    const auto deadline = Clock::now() + request.timeout;

    std::optional<StagedArtifacts> staged;
    if (step == OtaStep::install) {
        auto incoming = private_child(dirs->root, ".incoming");
        if (!incoming) return std::unexpected(incoming.error());
        auto copies = StagedArtifacts::copy_verified(request.artifacts, context.ota_staging_dir,
                                                     incoming->path() / std::to_string(::getpid()));
        if (!copies) return std::unexpected(copies.error());
        staged.emplace(std::move(*copies));
    }

    auto instance = (*plugin)->create();
    if (!instance) return std::unexpected(instance.error());
    HelperUpdateHost host(
        std::string(action_name(step)) + " " + request.handler + "/" + request.component + ": ",
        deadline);
    sdk::UpdateRequest call;
    call.component = request.component;
    call.params = request.params;
    if (auto it = context.handler_settings.find(request.handler);
        it != context.handler_settings.end()) {
        call.settings = it->second;
    }
    call.state_dir = dirs->component.path();
    call.deadline = deadline;
    call.host = &host;
    call.version = request.version;
    if (staged) call.artifacts = staged->artifacts();

    auto outcome = invoke(**instance, call);
    if (!outcome) return std::unexpected(outcome.error());
    summary = outcome->summary;
    ordered_json result;
    result["handler"] = request.handler;
    result["component"] = request.component;
    for (auto& [key, value] : outcome->result.items()) result[key] = std::move(value);
    return result;
}

ordered_json optional_json(const std::optional<std::string>& value) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
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
    ActionResult result = run_checked(step, *request, context, invoke, summary);

    std::string line = std::string(action_name(step)) + ": handler=" + request->handler +
                       " component=" + request->component;
    if (!request->version.empty()) line += " version=" + request->version;
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
