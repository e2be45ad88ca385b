// The "ota-reboot" action: runs the configured reboot command, logged before and after.
#include "helper/action_ota_reboot.hpp"

#include "helper/helper_log.hpp"
#include "helper/run_command.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::helper {
namespace {

constexpr std::size_t k_shown_output = 512;

std::string joined(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) out += (out.empty() ? "" : " ") + arg;
    return out;
}

ActionResult reboot(const nlohmann::json& params, const ActionContext& context) {
    if (auto none = expect_no_params(params, "ota-reboot"); !none) {
        return std::unexpected(none.error());
    }
    const std::string command = joined(context.reboot_command);
    if (context.reboot_command.empty() || !context.reboot_command.front().starts_with('/')) {
        return make_error(std::string(ota::reason::reboot_failed),
                          "no usable --reboot-command (\"" + command + "\")");
    }
    log_line(LogLevel::warning, "ota-reboot: rebooting for " + asked_by(context) + ": running " +
                                    log_quoted(command, 256));
    CommandSpec spec;
    spec.argv = context.reboot_command;
    spec.env = fixed_environment();
    spec.timeout = k_reboot_timeout;
    spec.max_output = 4096;
    auto ran = run_command(spec);
    std::string failure;
    if (!ran) {
        failure = ran.error().message;
    } else if (!ran->exited) {
        failure = "killed by signal " + std::to_string(ran->signal);
    } else if (ran->exit_code != 0) {
        std::string said = ran->err.empty() ? ran->out : ran->err;
        while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
        failure =
            "exited " + std::to_string(ran->exit_code) + ": " + log_quoted(said, k_shown_output);
    }
    if (!failure.empty()) {
        return make_error(std::string(ota::reason::reboot_failed),
                          "the reboot was not requested: " + command + " " + failure);
    }
    nlohmann::ordered_json result;
    result["reboot"] = "requested";
    result["command"] = command;
    return result;
}

}  // namespace

Action ota_reboot_action() {
    return Action{"ota-reboot",
                  "reboot the gateway, as an OTA install or rollback asked (reboot_required)",
                  reboot};
}

}  // namespace lintel::helper
