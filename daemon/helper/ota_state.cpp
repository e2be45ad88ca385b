// The private state directories of the ota-* actions and the per-handler lock.
#include "helper/ota_state.hpp"

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "helper/ota_codes.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {

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
    auto child = parent.open_child(name, k_private_dir_mode);
    if (!child) return std::unexpected(child.error());
    if (auto ok = check_private(**child); !ok) return std::unexpected(ok.error());
    return std::move(**child);
}

Expected<StateDirs> open_state_dirs(const std::filesystem::path& state_root,
                                    const std::string& handler, const std::string& component) {
    auto parent = OpenDirectory::open(state_root.parent_path());
    if (!parent) return std::unexpected(parent.error());
    auto root = private_child(*parent, state_root.filename().string());
    if (!root) return std::unexpected(root.error());
    auto handler_dir = private_child(*root, handler);
    if (!handler_dir) return std::unexpected(handler_dir.error());
    auto component_dir = private_child(*handler_dir, component);
    if (!component_dir) return std::unexpected(component_dir.error());
    return StateDirs{std::move(*root), std::move(*handler_dir), std::move(*component_dir)};
}

// One request per handler at a time (two dpkg runs, or an install racing its own rollback, would
// leave state nobody can reason about).
Expected<void> lock_handler(const OpenDirectory& handler_dir, const std::string& handler,
                            std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (::flock(handler_dir.fd(), LOCK_EX | LOCK_NB) == 0) return {};
        if (errno != EWOULDBLOCK) {
            return make_error(
                std::string(codes::internal),
                "cannot lock " + handler_dir.path().string() + ": " + std::strerror(errno));
        }
        if (std::chrono::steady_clock::now() >= until) break;
        // flock() has no timeout of its own; a short poll keeps the deadline exact enough.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return make_error(std::string(ota_codes::busy), "another request is using handler \"" +
                                                        handler +
                                                        "\" right now; try again when it finished");
}

}  // namespace lintel::helper
