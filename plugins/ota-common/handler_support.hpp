// Small pieces every update handler needs: running a program and turning a failure into an
// Error that quotes its output, reading and writing the handler's small state files, and
// checking params. Linked statically into each ota-*.so; only the SDK headers are used.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/update_handler.hpp"

namespace lintel::ota {

// The last `max` bytes of a program's output, for messages: what went wrong is usually at the end.
std::string output_tail(const sdk::CommandResult& result, std::size_t max = 600);

struct Run {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::filesystem::path working_dir;
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

// Runs `run` through the host. A program that cannot start, times out, is killed or exits
// non-zero is an Error with `code`, saying `what` failed and quoting the end of its output.
Expected<sdk::CommandResult> run_ok(sdk::UpdateHost& host, const Run& run, std::string_view code,
                                    std::string_view what);

// The handler's state file `name` in `state_dir` (private to it): nullopt when absent. Content
// is trimmed of a trailing newline. Errors only when it exists but cannot be read.
Expected<std::optional<std::string>> read_state(const std::filesystem::path& state_dir,
                                                std::string_view name);
// Writes (atomically, root-owned 0600) or removes a state file through the host.
Expected<void> write_state(const sdk::HandlerCall& call, std::string_view name,
                           std::string_view content);
Expected<void> remove_state(const sdk::HandlerCall& call, std::string_view name);
bool state_exists(const sdk::HandlerCall& call, std::string_view name);

// Handlers that cannot ask the system what is installed (script, file) record it in two state
// files: "pending" (the version an install put in place, until commit or rollback) and
// "version" (the last committed one).
Expected<std::optional<std::string>> pending_version(const sdk::HandlerCall& call);
Expected<std::optional<std::string>> committed_version(const sdk::HandlerCall& call);
// The pending version if any, else the committed one; details.pending "yes"/"no".
Expected<sdk::InstalledVersion> recorded_version(const sdk::HandlerCall& call);
// ota.bad_params when an install is pending (install refuses to stack a second one).
Expected<void> refuse_if_pending(const sdk::UpdateRequest& request);
// ota.nothing_pending when no install is pending; ota.bad_params when the pending one is not
// request.version.
Expected<void> require_pending(const sdk::UpdateRequest& request);
Expected<void> record_pending(const sdk::UpdateRequest& request);
// Commit: "version" becomes request.version, "pending" goes.
Expected<void> record_committed(const sdk::UpdateRequest& request);
// Rollback: "pending" goes, "version" stays.
Expected<void> record_rolled_back(const sdk::UpdateRequest& request);

// The one artifact of an install (ota.artifact_mismatch when there are none or several).
Expected<const sdk::Artifact*> single_artifact(const sdk::UpdateRequest& request,
                                               std::string_view handler);

// Whole seconds from params or settings: `fallback` when absent, ota.bad_params when not an
// integer from 1 to `max`.
Expected<std::chrono::seconds> seconds_value(const std::map<std::string, std::string>& values,
                                             std::string_view key, std::chrono::seconds fallback,
                                             std::chrono::seconds max);

// Rejects keys of `values` not in `allowed` (ota.bad_params naming the key and `where`).
Expected<void> only_keys(const std::map<std::string, std::string>& values,
                         std::initializer_list<std::string_view> allowed, std::string_view where);

}  // namespace lintel::ota
