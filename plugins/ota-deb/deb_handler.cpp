// DebHandler: field checks, the rollback package, dpkg -i, and the state files around them.
#include "deb_handler.hpp"

#include <system_error>

#include "dpkg.hpp"
#include "handler_support.hpp"

namespace lintel::ota::deb {
namespace {

namespace fs = std::filesystem;
namespace codes = sdk::update_codes;

constexpr std::string_view k_current = "current.deb";
constexpr std::string_view k_new = "new.deb";
constexpr std::string_view k_rollback = "rollback.deb";
constexpr std::string_view k_rollback_none = "rollback.none";
constexpr std::string_view k_repack_dir = "repack";

bool pending(const sdk::HandlerCall& call) {
    return state_exists(call, k_rollback) || state_exists(call, k_rollback_none);
}

// Renames within the private state dir (root-owned 0700: nobody else can race us there).
Expected<void> rename_state(const sdk::HandlerCall& call, std::string_view from,
                            std::string_view to, std::string_view code) {
    std::error_code ec;
    fs::rename(call.state_dir / from, call.state_dir / to, ec);
    if (ec) {
        return make_error(std::string(code), "cannot rename " + (call.state_dir / from).string() +
                                                 " to " + std::string(to) + ": " + ec.message());
    }
    return {};
}

// The package rollback will reinstall: the kept current.deb when it is the installed version,
// else rebuilt from the installed files with dpkg-repack. Returns how it was obtained.
Expected<std::string> keep_rollback_package(const sdk::UpdateRequest& request, const Dpkg& dpkg,
                                            const std::string& installed) {
    if (state_exists(request, k_current)) {
        auto kept = dpkg.fields(request.state_dir / k_current);
        if (kept && kept->package == request.component && kept->version == installed) {
            if (auto moved = rename_state(request, k_current, k_rollback, codes::install_failed);
                !moved) {
                return std::unexpected(moved.error());
            }
            return std::string("kept");
        }
        request.host->log().warning("the kept package is not the installed version; rebuilding",
                                    {{"INSTALLED", installed}});
    }
    const fs::path dir = request.state_dir / k_repack_dir;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directory(dir, ec);
    if (ec) {
        return make_error(std::string(codes::install_failed),
                          "cannot create " + dir.string() + ": " + ec.message());
    }
    auto deb = dpkg.repack(request.component, dir, codes::install_failed);
    if (deb) {
        auto fields = dpkg.fields(*deb);
        if (!fields || fields->package != request.component || fields->version != installed) {
            deb = make_error(std::string(codes::install_failed),
                             "dpkg-repack did not rebuild " + request.component + " " + installed);
        } else {
            fs::rename(*deb, request.state_dir / k_rollback, ec);
            if (ec) {
                deb = make_error(std::string(codes::install_failed),
                                 "cannot keep the rebuilt package: " + ec.message());
            }
        }
    }
    fs::remove_all(dir, ec);
    if (!deb) return std::unexpected(deb.error());
    return std::string("repacked");
}

Expected<void> forget_rollback_files(const sdk::HandlerCall& call) {
    for (auto name : {k_new, k_rollback, k_rollback_none}) {
        if (auto removed = remove_state(call, name); !removed) return removed;
    }
    return {};
}

}  // namespace

Expected<sdk::InstalledVersion> DebHandler::installed_version(const sdk::HandlerCall& call) {
    auto dpkg = Dpkg::from(call);
    if (!dpkg) return std::unexpected(dpkg.error());
    auto state = dpkg->state(call.component);
    if (!state) return std::unexpected(state.error());
    sdk::InstalledVersion out;
    out.version = state->version;
    out.details["status"] = state->status;
    out.details["pending"] = pending(call) ? "yes" : "no";
    return out;
}

Expected<sdk::UpdateResult> DebHandler::install(const sdk::UpdateRequest& request) {
    auto dpkg = Dpkg::from(request);
    if (!dpkg) return std::unexpected(dpkg.error());
    auto artifact = single_artifact(request, "deb");
    if (!artifact) return std::unexpected(artifact.error());
    auto fields = dpkg->fields((*artifact)->path);
    if (!fields) return std::unexpected(fields.error());
    if (fields->package != request.component || fields->version != request.version) {
        return make_error(std::string(codes::artifact_mismatch),
                          "the package is " + fields->package + " " + fields->version +
                              ", the request says " + request.component + " " + request.version);
    }
    if (pending(request)) {
        return make_error(
            std::string(codes::bad_params),
            "an install of " + request.component + " is pending; commit or roll it back first");
    }
    auto before = dpkg->state(request.component);
    if (!before) return std::unexpected(before.error());
    if (before->status != "installed" && before->status != "not-installed" &&
        before->status != "config-files") {
        return make_error(std::string(codes::bad_params),
                          request.component + " is " + before->status +
                              " (an interrupted dpkg run); repair it before an update");
    }

    // From here on the state dir changes: failures are install_failed (rollback cleans up).
    sdk::UpdateResult result;
    result.previous_version = before->version;
    if (before->version) {
        auto how = keep_rollback_package(request, *dpkg, *before->version);
        if (!how) return std::unexpected(how.error());
        result.details["rollback_package"] = *how;
    } else {
        if (auto marked = write_state(request, k_rollback_none, "nothing was installed"); !marked) {
            return make_error(std::string(codes::install_failed), marked.error().message);
        }
        result.details["rollback_package"] = "none (rollback removes the package)";
    }
    if (auto copied =
            request.host->copy_file({(*artifact)->path.parent_path(), (*artifact)->path.filename()},
                                    {request.state_dir, std::string(k_new)}, {});
        !copied) {
        return make_error(std::string(codes::install_failed), copied.error().message);
    }
    if (auto installed = dpkg->install(request.state_dir / k_new, false, codes::install_failed);
        !installed) {
        return std::unexpected(installed.error());
    }
    auto after = dpkg->state(request.component);
    if (!after || after->version != request.version) {
        return make_error(std::string(codes::install_failed),
                          "dpkg -i succeeded but dpkg does not report " + request.component + " " +
                              request.version + " as installed");
    }
    result.version = after->version;
    return result;
}

Expected<sdk::UpdateResult> DebHandler::commit(const sdk::UpdateRequest& request) {
    auto dpkg = Dpkg::from(request);
    if (!dpkg) return std::unexpected(dpkg.error());
    auto state = dpkg->state(request.component);
    if (!state) return std::unexpected(state.error());
    if (state->version != request.version) {
        return make_error(std::string(codes::commit_failed),
                          request.component + " " + request.version +
                              " is not what dpkg reports as installed (" +
                              state->version.value_or("nothing") + "); nothing committed");
    }
    sdk::UpdateResult result;
    result.version = state->version;
    if (!pending(request) && !state_exists(request, k_new)) {
        result.details["already_committed"] = "yes";  // a retried commit: the answer was lost
        return result;
    }
    if (state_exists(request, k_new)) {
        if (auto moved = rename_state(request, k_new, k_current, codes::commit_failed); !moved) {
            return std::unexpected(moved.error());
        }
    }
    if (auto forgot = forget_rollback_files(request); !forgot) {
        return make_error(std::string(codes::commit_failed), forgot.error().message);
    }
    return result;
}

Expected<sdk::UpdateResult> DebHandler::rollback(const sdk::UpdateRequest& request) {
    auto dpkg = Dpkg::from(request);
    if (!dpkg) return std::unexpected(dpkg.error());
    sdk::UpdateResult result;
    if (state_exists(request, k_rollback)) {
        const fs::path deb = request.state_dir / k_rollback;
        auto fields = dpkg->fields(deb);
        if (!fields) return make_error(std::string(codes::rollback_failed), fields.error().message);
        if (auto reinstalled = dpkg->install(deb, true, codes::rollback_failed); !reinstalled) {
            return std::unexpected(reinstalled.error());
        }
        // The reinstalled package is the current one again (the next update's rollback target).
        if (auto moved = rename_state(request, k_rollback, k_current, codes::rollback_failed);
            !moved) {
            return std::unexpected(moved.error());
        }
        result.version = fields->version;
    } else if (state_exists(request, k_rollback_none)) {
        if (auto removed = dpkg->remove(request.component, codes::rollback_failed); !removed) {
            return std::unexpected(removed.error());
        }
        if (auto dropped = remove_state(request, k_current); !dropped) {
            return make_error(std::string(codes::rollback_failed), dropped.error().message);
        }
    } else {
        return make_error(
            std::string(codes::nothing_pending),
            "no install of " + request.component + " is pending; nothing to roll back");
    }
    if (auto forgot = forget_rollback_files(request); !forgot) {
        return make_error(std::string(codes::rollback_failed), forgot.error().message);
    }
    auto state = dpkg->state(request.component);
    if (!state || state->version != result.version) {
        return make_error(std::string(codes::rollback_failed),
                          "dpkg does not report " + request.component + " " +
                              result.version.value_or("as removed") + " after the rollback");
    }
    return result;
}

}  // namespace lintel::ota::deb
