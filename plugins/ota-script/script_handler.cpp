// ScriptHandler: the kept copy of the script, one run per step, the version files.
#include "script_handler.hpp"

#include <sys/stat.h>

#include <system_error>

#include "handler_support.hpp"

namespace lintel::ota::script {
namespace {

namespace fs = std::filesystem;
namespace codes = sdk::update_codes;

constexpr std::string_view k_script = "script";
constexpr std::string_view k_work = "work";
constexpr std::chrono::seconds k_default_timeout{300};
constexpr std::chrono::seconds k_max_timeout{1800};
constexpr std::size_t k_max_output = 16 * 1024;  // per stream, as captured
constexpr std::size_t k_max_result_output = 8 * 1024;

// The script's timeout: params.timeout_s (default 300 s), at most settings.max_timeout_s
// (default and ceiling 1800 s).
Expected<std::chrono::seconds> timeout_of(const sdk::HandlerCall& call) {
    if (auto keys = only_keys(call.params, {"timeout_s"}, "script param"); !keys) {
        return std::unexpected(keys.error());
    }
    if (auto keys = only_keys(call.settings, {"max_timeout_s"}, "script setting"); !keys) {
        return std::unexpected(keys.error());
    }
    auto max = seconds_value(call.settings, "max_timeout_s", k_max_timeout, k_max_timeout);
    if (!max) return std::unexpected(max.error());
    return seconds_value(call.params, "timeout_s", std::min(k_default_timeout, *max), *max);
}

std::string captured(const sdk::CommandResult& result) {
    std::string text = result.out;
    if (!text.empty() && !text.ends_with('\n') && !result.err.empty()) text += '\n';
    text += result.err;
    if (text.size() > k_max_result_output)
        text = "..." + text.substr(text.size() - k_max_result_output);
    if (result.truncated) text += "\n[output cut]";
    return text;
}

// Runs the kept script with `step` as argv[1]. Fails with `code` unless it exits 0.
Expected<std::string> run_script(const sdk::UpdateRequest& request, std::string_view step,
                                 std::string_view code) {
    auto timeout = timeout_of(request);
    if (!timeout) return std::unexpected(timeout.error());
    const fs::path work = request.state_dir / k_work;
    std::error_code ec;
    fs::create_directory(work, ec);
    fs::permissions(work, fs::perms::owner_all, ec);
    if (ec) {
        return make_error(std::string(code),
                          "cannot prepare " + work.string() + ": " + ec.message());
    }
    sdk::Command command;
    command.argv = {(request.state_dir / k_script).string(), std::string(step)};
    command.env = {"LINTEL_OTA_STEP=" + std::string(step),
                   "LINTEL_OTA_COMPONENT=" + request.component,
                   "LINTEL_OTA_VERSION=" + request.version, "LINTEL_OTA_WORK_DIR=" + work.string(),
                   "HOME=" + work.string()};
    command.working_dir = work;
    command.timeout = *timeout;
    command.max_output = k_max_output;
    auto result = request.host->run(command);
    if (!result) {
        return make_error(
            std::string(code),
            "the " + std::string(step) + " step of the script failed: " + result.error().message);
    }
    const std::string output = captured(*result);
    if (!result->exited || result->exit_code != 0) {
        const std::string how = result->exited
                                    ? "exited " + std::to_string(result->exit_code)
                                    : "was killed by signal " + std::to_string(result->signal);
        return make_error(std::string(code), "the script " + how + " in its " + std::string(step) +
                                                 " step: " + output_tail(*result));
    }
    return output;
}

}  // namespace

Expected<sdk::InstalledVersion> ScriptHandler::installed_version(const sdk::HandlerCall& call) {
    return recorded_version(call);
}

Expected<sdk::UpdateResult> ScriptHandler::install(const sdk::UpdateRequest& request) {
    auto artifact = single_artifact(request, "script");
    if (!artifact) return std::unexpected(artifact.error());
    if (auto timeout = timeout_of(request); !timeout) return std::unexpected(timeout.error());
    if (auto free = refuse_if_pending(request); !free) return std::unexpected(free.error());
    auto committed = committed_version(request);
    if (!committed) return std::unexpected(committed.error());

    // Kept in the private state dir: the staging copy goes away with the request, and commit and
    // rollback run the same script later.
    sdk::FileAttributes executable;
    executable.mode = 0700;
    if (auto copied =
            request.host->copy_file({(*artifact)->path.parent_path(), (*artifact)->path.filename()},
                                    {request.state_dir, std::string(k_script)}, executable);
        !copied) {
        return make_error(std::string(codes::install_failed), copied.error().message);
    }
    if (auto marked = record_pending(request); !marked) {
        return make_error(std::string(codes::install_failed), marked.error().message);
    }
    auto output = run_script(request, "install", codes::install_failed);
    if (!output) return std::unexpected(output.error());
    sdk::UpdateResult result;
    result.previous_version = *committed;
    result.version = request.version;
    result.output = *output;
    return result;
}

Expected<sdk::UpdateResult> ScriptHandler::commit(const sdk::UpdateRequest& request) {
    if (auto ok = require_pending(request); !ok) return std::unexpected(ok.error());
    auto output = run_script(request, "commit", codes::commit_failed);
    if (!output) return std::unexpected(output.error());
    auto recorded = record_committed(request);
    if (recorded) recorded = remove_state(request, k_script);
    if (!recorded) return make_error(std::string(codes::commit_failed), recorded.error().message);
    sdk::UpdateResult result;
    result.version = request.version;
    result.output = *output;
    return result;
}

Expected<sdk::UpdateResult> ScriptHandler::rollback(const sdk::UpdateRequest& request) {
    if (auto ok = require_pending(request); !ok) return std::unexpected(ok.error());
    auto output = run_script(request, "rollback", codes::rollback_failed);
    if (!output) return std::unexpected(output.error());
    auto dropped = record_rolled_back(request);
    if (dropped) dropped = remove_state(request, k_script);
    if (!dropped) return make_error(std::string(codes::rollback_failed), dropped.error().message);
    auto committed = committed_version(request);
    if (!committed) return std::unexpected(committed.error());
    sdk::UpdateResult result;
    result.version = *committed;
    result.output = *output;
    return result;
}

}  // namespace lintel::ota::script
