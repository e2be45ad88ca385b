// HelperUpdateHost: run_command with the fixed environment and the deadline; file operations
// through open_parent_beneath and the atomic replacement.
#include "helper/ota_host.hpp"

#include <algorithm>

#include "helper/atomic_file.hpp"
#include "helper/beneath.hpp"
#include "helper/helper_log.hpp"
#include "helper/protocol.hpp"
#include "helper/run_command.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::unexpected<Error> internal(std::string message) {
    return make_error(std::string(codes::internal), std::move(message));
}

sdk::FileStatus status_of(const struct stat& st) {
    sdk::FileStatus out;
    out.attributes.mode = static_cast<std::uint32_t>(st.st_mode & 07777);
    out.attributes.uid = st.st_uid;
    out.attributes.gid = st.st_gid;
    out.size = static_cast<std::uint64_t>(st.st_size);
    return out;
}

CopySettings copy_settings(const sdk::FileAttributes& attributes) {
    CopySettings settings;
    settings.mode = static_cast<mode_t>(attributes.mode & 07777);
    settings.owner = FileOwner{attributes.uid, attributes.gid};
    return settings;
}

}  // namespace

void HelperLogger::log(sdk::LogLevel level, std::string_view message,
                       std::initializer_list<sdk::LogField> fields) {
    if (!enabled(level)) return;
    std::string line = prefix_;
    line += message;
    for (const auto& field : fields) {
        line += ' ';
        line += field.key;
        line += '=';
        line += field.value;
    }
    const LogLevel mapped = level == sdk::LogLevel::error     ? LogLevel::error
                            : level == sdk::LogLevel::warning ? LogLevel::warning
                                                              : LogLevel::info;
    log_line(mapped, line);
}

Expected<sdk::CommandResult> HelperUpdateHost::run(const sdk::Command& command) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    if (left.count() <= 0) {
        return internal("the request's deadline passed before " +
                        (command.argv.empty() ? std::string("a command") : command.argv[0]) +
                        " could run");
    }
    CommandSpec spec;
    spec.argv = command.argv;
    spec.env = fixed_environment();
    for (const auto& entry : command.env) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos || eq == 0 || entry.starts_with("PATH=") ||
            entry.starts_with("LC_ALL=")) {
            return internal("a handler asked for environment entry " + log_quoted(entry) +
                            " (KEY=value, not PATH or LC_ALL)");
        }
        spec.env.push_back(entry);
    }
    spec.working_dir = command.working_dir;
    spec.timeout = std::min(command.timeout, left);
    spec.max_output = command.max_output;
    auto result = run_command(spec);
    if (!result) return std::unexpected(result.error());
    sdk::CommandResult out;
    out.exited = result->exited;
    out.exit_code = result->exit_code;
    out.signal = result->signal;
    out.out = std::move(result->out);
    out.err = std::move(result->err);
    out.truncated = result->truncated;
    return out;
}

Expected<std::optional<sdk::FileStatus>> HelperUpdateHost::file_status(const sdk::FileRef& file) {
    auto parent = open_parent_beneath(file.root, file.relative);
    if (!parent) return std::unexpected(parent.error());
    auto opened = open_regular(parent->dir, parent->name);
    if (!opened) return std::unexpected(opened.error());
    if (!*opened) return std::nullopt;
    return status_of((*opened)->status);
}

Expected<void> HelperUpdateHost::copy_file(const sdk::FileRef& from, const sdk::FileRef& to,
                                           const sdk::FileAttributes& attributes) {
    auto source_parent = open_parent_beneath(from.root, from.relative);
    if (!source_parent) return std::unexpected(source_parent.error());
    auto source = open_regular(source_parent->dir, source_parent->name);
    if (!source) return std::unexpected(source.error());
    if (!*source) {
        return internal("cannot copy " + (from.root / from.relative).string() + ": no such file");
    }
    auto target = open_parent_beneath(to.root, to.relative);
    if (!target) return std::unexpected(target.error());
    auto copied = replace_file_from(target->dir, target->name, (*source)->fd.get(),
                                    copy_settings(attributes));
    if (!copied) return std::unexpected(copied.error());
    return {};
}

Expected<void> HelperUpdateHost::write_file(const sdk::FileRef& to, std::string_view content,
                                            const sdk::FileAttributes& attributes) {
    auto target = open_parent_beneath(to.root, to.relative);
    if (!target) return std::unexpected(target.error());
    auto written = replace_file(target->dir, target->name, content, copy_settings(attributes));
    if (!written) return std::unexpected(written.error());
    return {};
}

Expected<bool> HelperUpdateHost::remove_file(const sdk::FileRef& file) {
    auto parent = open_parent_beneath(file.root, file.relative);
    if (!parent) return std::unexpected(parent.error());
    return helper::remove_file(parent->dir, parent->name);
}

}  // namespace lintel::helper
