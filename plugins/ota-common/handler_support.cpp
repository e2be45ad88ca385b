// run_ok, state files, params checks for the update-handler plugins.
#include "handler_support.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace lintel::ota {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t k_max_state_file = 4096;
constexpr std::string_view k_pending = "pending";
constexpr std::string_view k_version = "version";

std::string one_line(std::string text) {
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return text;
}

}  // namespace

std::string output_tail(const sdk::CommandResult& result, std::size_t max) {
    std::string text = result.err.empty() ? result.out : result.err;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.size() > max) text = "..." + text.substr(text.size() - max);
    return one_line(std::move(text));
}

Expected<sdk::CommandResult> run_ok(sdk::UpdateHost& host, const Run& run, std::string_view code,
                                    std::string_view what) {
    sdk::Command command;
    command.argv = run.argv;
    command.env = run.env;
    command.working_dir = run.working_dir;
    command.timeout = run.timeout;
    auto result = host.run(command);
    if (!result) {
        return make_error(std::string(code), std::string(what) + ": " + result.error().message);
    }
    if (!result->exited) {
        return make_error(std::string(code), std::string(what) + ": " + run.argv.front() +
                                                 " was killed by signal " +
                                                 std::to_string(result->signal));
    }
    if (result->exit_code != 0) {
        return make_error(std::string(code), std::string(what) + ": " + run.argv.front() +
                                                 " exited " + std::to_string(result->exit_code) +
                                                 ": " + output_tail(*result));
    }
    return result;
}

Expected<std::optional<std::string>> read_state(const fs::path& state_dir, std::string_view name) {
    const fs::path path = state_dir / name;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
        return make_error("ota.state", "cannot read " + path.string());
    }
    std::string content = text.str();
    if (content.size() > k_max_state_file) {
        return make_error("ota.state", path.string() + " is larger than a state file can be");
    }
    if (content.ends_with('\n')) content.pop_back();
    return content;
}

Expected<void> write_state(const sdk::HandlerCall& call, std::string_view name,
                           std::string_view content) {
    return call.host->write_file({call.state_dir, std::string(name)}, content, {});
}

Expected<void> remove_state(const sdk::HandlerCall& call, std::string_view name) {
    auto removed = call.host->remove_file({call.state_dir, std::string(name)});
    if (!removed) return std::unexpected(removed.error());
    return {};
}

bool state_exists(const sdk::HandlerCall& call, std::string_view name) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(call.state_dir / name, ec));
}

Expected<std::optional<std::string>> pending_version(const sdk::HandlerCall& call) {
    return read_state(call.state_dir, k_pending);
}

Expected<std::optional<std::string>> committed_version(const sdk::HandlerCall& call) {
    return read_state(call.state_dir, k_version);
}

Expected<sdk::InstalledVersion> recorded_version(const sdk::HandlerCall& call) {
    auto pending = pending_version(call);
    if (!pending) return std::unexpected(pending.error());
    auto committed = committed_version(call);
    if (!committed) return std::unexpected(committed.error());
    sdk::InstalledVersion out;
    out.version = *pending ? *pending : *committed;
    out.details["pending"] = *pending ? "yes" : "no";
    return out;
}

Expected<void> refuse_if_pending(const sdk::UpdateRequest& request) {
    auto pending = pending_version(request);
    if (!pending) return std::unexpected(pending.error());
    if (*pending) {
        return make_error(std::string(sdk::update_codes::bad_params),
                          "version " + **pending + " of " + request.component +
                              " is pending; commit or roll it back first");
    }
    return {};
}

Expected<void> require_pending(const sdk::UpdateRequest& request) {
    auto pending = pending_version(request);
    if (!pending) return std::unexpected(pending.error());
    if (!*pending) {
        return make_error(std::string(sdk::update_codes::nothing_pending),
                          "no install of " + request.component + " is pending");
    }
    if (**pending != request.version) {
        return make_error(std::string(sdk::update_codes::bad_params),
                          "the pending install of " + request.component + " is version " +
                              **pending + ", not " + request.version);
    }
    return {};
}

Expected<void> record_pending(const sdk::UpdateRequest& request) {
    return write_state(request, k_pending, request.version);
}

Expected<void> record_committed(const sdk::UpdateRequest& request) {
    if (auto written = write_state(request, k_version, request.version); !written) return written;
    return remove_state(request, k_pending);
}

Expected<void> record_rolled_back(const sdk::UpdateRequest& request) {
    return remove_state(request, k_pending);
}

Expected<const sdk::Artifact*> single_artifact(const sdk::UpdateRequest& request,
                                               std::string_view handler) {
    if (request.artifacts.size() != 1) {
        return make_error(std::string(sdk::update_codes::artifact_mismatch),
                          "the " + std::string(handler) +
                              " handler installs exactly one artifact, " + "got " +
                              std::to_string(request.artifacts.size()));
    }
    return &request.artifacts.front();
}

Expected<std::chrono::seconds> seconds_value(const std::map<std::string, std::string>& values,
                                             std::string_view key, std::chrono::seconds fallback,
                                             std::chrono::seconds max) {
    auto it = values.find(std::string(key));
    if (it == values.end()) return fallback;
    std::int64_t n = 0;
    const auto& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max.count()) {
        return make_error(std::string(sdk::update_codes::bad_params),
                          std::string(key) + " must be whole seconds from 1 to " +
                              std::to_string(max.count()) + ", got \"" + one_line(text) + "\"");
    }
    return std::chrono::seconds(n);
}

Expected<void> only_keys(const std::map<std::string, std::string>& values,
                         std::initializer_list<std::string_view> allowed, std::string_view where) {
    for (const auto& [key, value] : values) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            std::string list;
            for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
            return make_error(std::string(sdk::update_codes::bad_params),
                              "unknown " + std::string(where) + " \"" + key +
                                  "\" (allowed: " + (list.empty() ? "none" : list) + ")");
        }
    }
    return {};
}

}  // namespace lintel::ota
