// FileHandler: the destination check, keeping the previous content and attributes, the atomic
// replacement through the helper, and restoring on rollback.
#include "file_handler.hpp"

#include <cstdio>

#include "destination.hpp"
#include "handler_support.hpp"

namespace lintel::ota::file {
namespace {

namespace codes = sdk::update_codes;

constexpr std::string_view k_previous = "previous";
constexpr std::string_view k_previous_meta = "previous.meta";
constexpr std::string_view k_previous_none = "previous.none";
constexpr std::string_view k_destination = "destination";

Expected<sdk::FileRef> destination_of(const sdk::HandlerCall& call, std::string_view path) {
    if (auto keys = only_keys(call.settings, {"allowed_dirs"}, "file setting"); !keys) {
        return std::unexpected(keys.error());
    }
    auto allowed = call.settings.find("allowed_dirs");
    return resolve_destination(allowed == call.settings.end() ? "" : allowed->second, path);
}

std::string meta_text(const sdk::FileAttributes& a) {
    char text[64];
    std::snprintf(text, sizeof text, "%04o %u %u", a.mode, a.uid, a.gid);
    return text;
}

Expected<sdk::FileAttributes> parse_meta(const std::string& text) {
    sdk::FileAttributes a;
    if (std::sscanf(text.c_str(), "%o %u %u", &a.mode, &a.uid, &a.gid) != 3 || a.mode > 07777) {
        return make_error(std::string(codes::rollback_failed),
                          "the kept attributes \"" + text + "\" cannot be read");
    }
    return a;
}

sdk::FileRef state_file(const sdk::HandlerCall& call, std::string_view name) {
    return {call.state_dir, std::string(name)};
}

Expected<void> forget_previous(const sdk::HandlerCall& call) {
    for (auto name : {k_previous, k_previous_meta, k_previous_none, k_destination}) {
        if (auto removed = remove_state(call, name); !removed) return removed;
    }
    return {};
}

// Keeps what is at `target` (content and attributes) for rollback; returns its attributes, or
// nullopt when nothing was there.
Expected<std::optional<sdk::FileAttributes>> keep_previous(const sdk::UpdateRequest& request,
                                                           const sdk::FileRef& target) {
    auto status = request.host->file_status(target);
    if (!status) {
        return make_error(std::string(codes::not_allowed), status.error().message);
    }
    if (!*status) {
        if (auto marked = write_state(request, k_previous_none, "nothing was there"); !marked) {
            return std::unexpected(marked.error());
        }
        return std::nullopt;
    }
    if (auto copied = request.host->copy_file(target, state_file(request, k_previous), {});
        !copied) {
        return std::unexpected(copied.error());
    }
    if (auto meta = write_state(request, k_previous_meta, meta_text((*status)->attributes));
        !meta) {
        return std::unexpected(meta.error());
    }
    return (*status)->attributes;
}

}  // namespace

Expected<sdk::InstalledVersion> FileHandler::installed_version(const sdk::HandlerCall& call) {
    return recorded_version(call);
}

Expected<sdk::UpdateResult> FileHandler::install(const sdk::UpdateRequest& request) {
    auto artifact = single_artifact(request, "file");
    if (!artifact) return std::unexpected(artifact.error());
    if (auto keys = only_keys(request.params, {"destination", "mode"}, "file param"); !keys) {
        return std::unexpected(keys.error());
    }
    auto path = request.params.find("destination");
    if (path == request.params.end()) {
        return make_error(std::string(codes::bad_params), "params.destination is required");
    }
    auto target = destination_of(request, path->second);
    if (!target) return std::unexpected(target.error());
    sdk::FileAttributes attributes;  // for a new file: root:root, params.mode or 0644
    attributes.mode = 0644;
    if (auto mode = request.params.find("mode"); mode != request.params.end()) {
        auto parsed = parse_mode(mode->second);
        if (!parsed) return std::unexpected(parsed.error());
        attributes.mode = *parsed;
    }
    if (auto free = refuse_if_pending(request); !free) return std::unexpected(free.error());
    auto committed = committed_version(request);
    if (!committed) return std::unexpected(committed.error());

    auto previous = keep_previous(request, *target);
    if (!previous) {
        (void)forget_previous(request);
        return std::unexpected(previous.error());  // nothing at the destination changed yet
    }
    if (*previous) attributes = **previous;  // a replaced file keeps its mode and owner
    auto recorded = write_state(request, k_destination, path->second);
    if (recorded) recorded = record_pending(request);
    if (!recorded) return make_error(std::string(codes::install_failed), recorded.error().message);
    if (auto copied = request.host->copy_file(
            {(*artifact)->path.parent_path(), (*artifact)->path.filename()}, *target, attributes);
        !copied) {
        return make_error(std::string(codes::install_failed), copied.error().message);
    }
    sdk::UpdateResult result;
    result.previous_version = *committed;
    result.version = request.version;
    result.details["destination"] = path->second;
    result.details["mode"] = meta_text(attributes).substr(0, 4);
    result.details["replaced"] = *previous ? "yes" : "no";
    return result;
}

Expected<sdk::UpdateResult> FileHandler::commit(const sdk::UpdateRequest& request) {
    if (auto ok = require_pending(request); !ok) return std::unexpected(ok.error());
    auto forgot = forget_previous(request);
    if (forgot) forgot = record_committed(request);
    if (!forgot) return make_error(std::string(codes::commit_failed), forgot.error().message);
    sdk::UpdateResult result;
    result.version = request.version;
    return result;
}

Expected<sdk::UpdateResult> FileHandler::rollback(const sdk::UpdateRequest& request) {
    if (auto ok = require_pending(request); !ok) return std::unexpected(ok.error());
    auto path = read_state(request.state_dir, k_destination);
    if (!path) return std::unexpected(path.error());
    if (!*path) {
        return make_error(std::string(codes::rollback_failed),
                          "the pending install recorded no destination");
    }
    auto target = destination_of(request, **path);
    if (!target) return make_error(std::string(codes::rollback_failed), target.error().message);
    if (state_exists(request, k_previous)) {
        auto meta = read_state(request.state_dir, k_previous_meta);
        if (!meta || !*meta) {
            return make_error(std::string(codes::rollback_failed),
                              "the kept attributes of " + **path + " are missing");
        }
        auto attributes = parse_meta(**meta);
        if (!attributes) return std::unexpected(attributes.error());
        if (auto restored =
                request.host->copy_file(state_file(request, k_previous), *target, *attributes);
            !restored) {
            return make_error(std::string(codes::rollback_failed), restored.error().message);
        }
    } else if (auto removed = request.host->remove_file(*target); !removed) {
        return make_error(std::string(codes::rollback_failed), removed.error().message);
    }
    auto forgot = forget_previous(request);
    if (forgot) forgot = record_rolled_back(request);
    if (!forgot) return make_error(std::string(codes::rollback_failed), forgot.error().message);
    auto committed = committed_version(request);
    if (!committed) return std::unexpected(committed.error());
    sdk::UpdateResult result;
    result.version = *committed;
    result.details["destination"] = **path;
    return result;
}

}  // namespace lintel::ota::file
