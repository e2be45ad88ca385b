// SO_PEERCRED and the allowed-user lookup behind PeerPolicy.
#include "helper/peer_check.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "helper/protocol.hpp"

namespace lintel::helper {

Expected<PeerCredentials> read_peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
        return make_error(std::string(codes::internal),
                          std::string("cannot read the peer's credentials (SO_PEERCRED): ") +
                              std::strerror(errno));
    }
    return PeerCredentials{cred.uid, cred.gid, cred.pid};
}

Expected<std::optional<uid_t>> lookup_uid(std::string_view name) {
    const std::string user(name);
    long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
    for (;;) {
        passwd entry{};
        passwd* found = nullptr;
        const int rc = ::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < 1024 * 1024) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0) {
            return make_error(std::string(codes::internal),
                              "cannot look up user \"" + user + "\": " + std::strerror(rc));
        }
        if (found == nullptr) return std::optional<uid_t>();
        return std::optional<uid_t>(entry.pw_uid);
    }
}

PeerPolicy PeerPolicy::for_user(std::string_view user) {
    PeerPolicy policy;
    auto uid = lookup_uid(user);
    if (!uid) {
        policy.note_ = uid.error().message + "; only root may use the helper";
    } else if (!*uid) {
        policy.note_ = "user \"" + std::string(user) +
                       "\" (--allow-user) does not exist; only root may use the helper";
    } else {
        policy.user_uid_ = **uid;
    }
    return policy;
}

}  // namespace lintel::helper
