// RaucHandler: the rauc CLI through the helper's runner, and which slot each step acts on.
#include "rauc_handler.hpp"

#include "handler_support.hpp"
#include "rauc_json.hpp"

namespace lintel::ota::rauc {
namespace {

namespace codes = sdk::update_codes;

constexpr const char* k_default_binary = "/usr/bin/rauc";

struct Rauc {
    const sdk::HandlerCall& call;
    std::string binary;
    std::string conf;
    std::vector<std::string> env;

    static Expected<Rauc> from(const sdk::HandlerCall& call) {
        if (auto keys = only_keys(call.settings, {"binary", "conf", "system_bus"}, "rauc setting");
            !keys) {
            return std::unexpected(keys.error());
        }
        if (auto keys = only_keys(call.params, {}, "rauc param"); !keys) {
            return std::unexpected(keys.error());
        }
        Rauc rauc{call, k_default_binary, {}, {}};
        if (auto it = call.settings.find("binary"); it != call.settings.end()) {
            rauc.binary = it->second;
        }
        if (!rauc.binary.starts_with('/')) {
            return make_error(std::string(codes::bad_params),
                              "rauc setting binary must be absolute");
        }
        if (auto it = call.settings.find("conf"); it != call.settings.end()) rauc.conf = it->second;
        if (auto it = call.settings.find("system_bus"); it != call.settings.end()) {
            rauc.env.push_back("DBUS_SYSTEM_BUS_ADDRESS=" + it->second);
        }
        return rauc;
    }

    Expected<sdk::CommandResult> run(std::vector<std::string> args, std::string_view code,
                                     std::string_view what) const {
        Run command;
        command.argv = {binary};
        command.argv.insert(command.argv.end(), args.begin(), args.end());
        command.env = env;
        return run_ok(*call.host, command, code, what);
    }

    Expected<Status> status(std::string_view code) const {
        auto result = run({"status", "--detailed", "--output-format=json"}, code, "rauc status");
        if (!result) return std::unexpected(result.error());
        auto parsed = parse_status(result->out);
        if (!parsed) return make_error(std::string(code), parsed.error().message);
        return parsed;
    }

    Expected<void> mark(std::string_view how, std::string_view slot, std::string_view code) const {
        auto result = run({"status", std::string(how), std::string(slot)}, code,
                          "rauc status " + std::string(how) + " " + std::string(slot));
        if (!result) return std::unexpected(result.error());
        call.host->log().info("rauc marked a slot", {{"MARK", how}, {"SLOT", slot}});
        return {};
    }
};

// The version of the bundle in the booted slot (what runs now), if rauc recorded one.
std::optional<std::string> running_version(const Status& status) {
    const Slot* booted = status.booted_slot();
    return booted ? booted->bundle_version : std::nullopt;
}

}  // namespace

Expected<sdk::InstalledVersion> RaucHandler::installed_version(const sdk::HandlerCall& call) {
    auto rauc = Rauc::from(call);
    if (!rauc) return std::unexpected(rauc.error());
    auto status = rauc->status(codes::query_failed);
    if (!status) return std::unexpected(status.error());
    sdk::InstalledVersion out;
    out.version = running_version(*status);
    out.details["booted"] = status->booted;
    if (const Slot* booted = status->booted_slot()) {
        out.details["slot"] = booted->name;
        out.details["boot_status"] = booted->boot_status;
    }
    return out;
}

Expected<sdk::UpdateResult> RaucHandler::install(const sdk::UpdateRequest& request) {
    auto rauc = Rauc::from(request);
    if (!rauc) return std::unexpected(rauc.error());
    auto artifact = single_artifact(request, "rauc");
    if (!artifact) return std::unexpected(artifact.error());
    std::vector<std::string> info_args = {"info", "--output-format=json"};
    if (!rauc->conf.empty()) info_args.push_back("--conf=" + rauc->conf);
    info_args.push_back((*artifact)->path.string());
    auto info_out = rauc->run(info_args, codes::artifact_mismatch, "rauc info");
    if (!info_out) return std::unexpected(info_out.error());
    auto info = parse_bundle_info(info_out->out);
    if (!info) return make_error(std::string(codes::artifact_mismatch), info.error().message);
    if (info->version != request.version) {
        return make_error(
            std::string(codes::artifact_mismatch),
            "the bundle is version " + info->version + ", the request says " + request.version);
    }
    auto before = rauc->status(codes::query_failed);
    if (!before) return std::unexpected(before.error());

    auto installed =
        rauc->run({"install", (*artifact)->path.string()}, codes::install_failed, "rauc install");
    if (!installed) return std::unexpected(installed.error());
    sdk::UpdateResult result;
    result.reboot_required = true;  // the new slot group runs after the next boot
    result.previous_version = running_version(*before);
    result.details["booted"] = before->booted;
    result.details["compatible"] = info->compatible;
    return result;
}

Expected<sdk::UpdateResult> RaucHandler::commit(const sdk::UpdateRequest& request) {
    auto rauc = Rauc::from(request);
    if (!rauc) return std::unexpected(rauc.error());
    auto status = rauc->status(codes::commit_failed);
    if (!status) return std::unexpected(status.error());
    if (running_version(*status) != request.version) {
        return make_error(std::string(codes::not_booted),
                          "the booted slot runs " + running_version(*status).value_or("no bundle") +
                              ", not " + request.version +
                              "; commit after rebooting into the new version");
    }
    if (auto marked = rauc->mark("mark-good", "booted", codes::commit_failed); !marked) {
        return std::unexpected(marked.error());
    }
    sdk::UpdateResult result;
    result.version = request.version;
    result.details["booted"] = status->booted;
    return result;
}

Expected<sdk::UpdateResult> RaucHandler::rollback(const sdk::UpdateRequest& request) {
    auto rauc = Rauc::from(request);
    if (!rauc) return std::unexpected(rauc.error());
    auto status = rauc->status(codes::rollback_failed);
    if (!status) return std::unexpected(status.error());
    sdk::UpdateResult result;
    result.details["booted"] = status->booted;
    if (running_version(*status) == request.version) {
        // Running the new version and it is not good: never boot it again, and boot the other
        // slot (the previous version) next. rauc's mark-bad alone leaves the primary as it is
        // and counts on the bootloader to skip a bad slot; activating the other one says it
        // outright. The caller reboots.
        auto marked = rauc->mark("mark-bad", "booted", codes::rollback_failed);
        if (marked) marked = rauc->mark("mark-active", "other", codes::rollback_failed);
        if (!marked) return std::unexpected(marked.error());
        result.reboot_required = true;
    } else {
        // Not rebooted yet: the new version sits in the other slot. Never boot it, and keep
        // booting this one.
        auto marked = rauc->mark("mark-bad", "other", codes::rollback_failed);
        if (marked) marked = rauc->mark("mark-active", "booted", codes::rollback_failed);
        if (!marked) return std::unexpected(marked.error());
        result.version = running_version(*status);
    }
    return result;
}

}  // namespace lintel::ota::rauc
