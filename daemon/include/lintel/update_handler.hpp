// The update-handler SDK: what an OTA update handler plugin implements and what lintel-helper
// gives it. A handler plugin includes only headers under lintel/ and exports one C symbol,
// lintel_update_handler_entry. It is not a driver: a .so exports this symbol or the driver
// symbol lintel_plugin_entry (plugin.hpp), never both, and lintel-helper refuses one that does.
// Bump kUpdateHandlerSdkVersion on any change to these interfaces: the helper refuses handlers
// built for another version.
//
// Handlers run inside lintel-helper (root), one request per process, synchronously. Every call
// returns Expected; nothing may throw across this interface (the helper catches what escapes
// anyway and reports it as helper.internal). Error codes a handler returns: see docs/ota.md,
// "Update handlers" (ota.refused and friends: nothing was changed; ota.install_failed: the
// system may be half-way and the caller should roll back).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::sdk {

inline constexpr std::uint32_t kUpdateHandlerSdkVersion = 1;

// Error codes handlers return (stable; documented in docs/ota.md). The first group means nothing
// was changed; the second that the system may have been changed (install_failed: call rollback).
namespace update_codes {
inline constexpr std::string_view bad_params = "ota.bad_params";  // params or settings invalid
inline constexpr std::string_view artifact_mismatch = "ota.artifact_mismatch";  // not what it says
inline constexpr std::string_view not_allowed = "ota.not_allowed";  // e.g. outside allowed dirs
inline constexpr std::string_view nothing_pending = "ota.nothing_pending";  // commit/rollback
inline constexpr std::string_view not_booted = "ota.not_booted";  // commit before the reboot
inline constexpr std::string_view install_failed = "ota.install_failed";
inline constexpr std::string_view commit_failed = "ota.commit_failed";
inline constexpr std::string_view rollback_failed = "ota.rollback_failed";
inline constexpr std::string_view query_failed = "ota.query_failed";  // installed_version
}  // namespace update_codes

// A program run for the handler by the helper: no shell, no PATH search, stdin /dev/null.
struct Command {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    // Added to the helper's fixed environment (PATH=/usr/sbin:/usr/bin:/sbin:/bin, LC_ALL=C);
    // "KEY=value" each. PATH and LC_ALL cannot be replaced.
    std::vector<std::string> env;
    std::filesystem::path working_dir;  // empty: "/"
    // Cut to what is left before the request's deadline. When it passes, the program is killed
    // and run() returns an error.
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    std::size_t max_output = 64 * 1024;  // per stream; the rest is read and dropped
};

struct CommandResult {
    bool exited = false;  // true: exited with exit_code; false: killed by `signal`
    int exit_code = 0;
    int signal = 0;
    std::string out;
    std::string err;
    bool truncated = false;
};

// A file named safely: `relative` beneath the directory `root` (absolute). No component of
// `relative` may be "..", "." or a symbolic link; the helper opens each one with O_NOFOLLOW
// and refuses (helper.unsafe_path) otherwise. `root` itself must not be a symlink.
struct FileRef {
    std::filesystem::path root;
    std::filesystem::path relative;
};

struct FileAttributes {
    std::uint32_t mode = 0600;  // permission bits, applied exactly (not cut by the umask)
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

struct FileStatus {
    FileAttributes attributes;
    std::uint64_t size = 0;
};

// The helper's services for one call, valid until the call returns.
class UpdateHost {
public:
    virtual ~UpdateHost() = default;
    // Lines go to the helper's log (the journal), tagged with the handler and component.
    virtual Logger& log() = 0;
    virtual Expected<CommandResult> run(const Command& command) = 0;
    // nullopt when nothing is there; helper.unsafe_path when it is not a regular file.
    virtual Expected<std::optional<FileStatus>> file_status(const FileRef& file) = 0;
    // Copies `from` (a regular file) over `to`, atomically: temp file beside `to`, fsync,
    // rename, fsync of the directory. `to`'s directory must exist; what is at `to` must be a
    // regular file or nothing.
    virtual Expected<void> copy_file(const FileRef& from, const FileRef& to,
                                     const FileAttributes& attributes) = 0;
    // Writes `content` over `to`, atomically as copy_file does.
    virtual Expected<void> write_file(const FileRef& to, std::string_view content,
                                      const FileAttributes& attributes) = 0;
    // False when there was nothing to remove; helper.unsafe_path when it is not a regular file.
    virtual Expected<bool> remove_file(const FileRef& file) = 0;
};

// What the helper already checked: the path is a root-owned private copy (mode 0600) whose
// size and SHA-256 match the signed manifest.
struct Artifact {
    std::string name;  // as named in the manifest ("package", "bundle", "firmware")
    std::filesystem::path path;
    std::string sha256;  // lower-case hex
    std::uint64_t size = 0;
};

// What every call gets.
struct HandlerCall {
    // What is updated: a package name for deb, a system image for rauc, a name for the rest.
    // [a-z0-9][a-z0-9+._-]{0,63}, checked by the helper.
    std::string component;
    // The handler's params from the signed manifest (strings; the handler validates them).
    std::map<std::string, std::string> params;
    // This handler's settings from the helper's command line (--handler-setting NAME.KEY=VALUE,
    // NAME. stripped): local and trusted, unlike params. E.g. deb's "root" in tests.
    std::map<std::string, std::string> settings;
    // Private to this handler and component: root-owned, mode 0700, kept across calls (what
    // rollback needs lives here). Not shared with linteld.
    std::filesystem::path state_dir;
    // Finish or fail before this; commands run through the host are cut to it.
    std::chrono::steady_clock::time_point deadline;
    UpdateHost* host = nullptr;  // never null during a call
};

struct UpdateRequest : HandlerCall {
    // install: the version to install (also what the artifact must say it is).
    // commit/rollback: the version the pending install installed.
    std::string version;
    std::vector<Artifact> artifacts;  // install only; empty for commit and rollback
};

struct InstalledVersion {
    std::optional<std::string> version;  // nullopt: not installed
    std::map<std::string, std::string> details;
};

struct UpdateResult {
    // install: the new version takes effect only after a reboot (rauc). rollback: the previous
    // version is back only after a reboot. The helper does not reboot; the caller decides when.
    bool reboot_required = false;
    // install: what was installed before (the version rollback restores); nullopt: nothing.
    std::optional<std::string> previous_version;
    // The version in effect after this call, when the handler knows it.
    std::optional<std::string> version;
    // What programs the handler ran printed (script), cut to a few KiB.
    std::string output;
    std::map<std::string, std::string> details;
};

class UpdateHandler {
public:
    virtual ~UpdateHandler() = default;
    virtual Expected<InstalledVersion> installed_version(const HandlerCall& call) = 0;
    // Installs request.version from request.artifacts and keeps what rollback() needs.
    virtual Expected<UpdateResult> install(const UpdateRequest& request) = 0;
    // The installed version is good: drop what rollback needed (rauc: mark the slot good).
    virtual Expected<UpdateResult> commit(const UpdateRequest& request) = 0;
    // Restores the version that was installed before the pending install.
    virtual Expected<UpdateResult> rollback(const UpdateRequest& request) = 0;
};

}  // namespace lintel::sdk

extern "C" {

// Layout is frozen for every SDK version: the helper reads sdk_version before anything else.
struct lintel_update_handler_info {
    std::uint32_t sdk_version;
    const char* name;     // handler name used in manifests ("deb"): [a-z0-9_-]{1,32}
    const char* version;  // the plugin's own version, for logs
    lintel::sdk::UpdateHandler* (*create)();  // null on failure; never throws
    void (*destroy)(lintel::sdk::UpdateHandler*);
};

typedef const lintel_update_handler_info* (*lintel_update_handler_entry_fn)();
}

#define LINTEL_UPDATE_HANDLER_ENTRY_SYMBOL "lintel_update_handler_entry"

// Defines the entry point of a handler plugin whose UpdateHandler subclass is HandlerType.
// Construction must not throw; nothrow new turns an allocation failure into null.
#define LINTEL_UPDATE_HANDLER(handler_name, handler_version, HandlerType)                     \
    extern "C" __attribute__((visibility("default"))) const lintel_update_handler_info*       \
    lintel_update_handler_entry() {                                                           \
        static const lintel_update_handler_info info{                                         \
            lintel::sdk::kUpdateHandlerSdkVersion, handler_name, handler_version,             \
            []() -> lintel::sdk::UpdateHandler* { return new (std::nothrow) HandlerType(); }, \
            [](lintel::sdk::UpdateHandler* h) { delete h; }};                                 \
        return &info;                                                                         \
    }
