// SO_PEERCRED / SO_PEERGROUPS and the reentrant passwd/group lookups.
#include "common/peer_credentials.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lintel::common {
namespace {

// getpwnam_r / getgrnam_r with a buffer that grows on ERANGE (large groups have long member
// lists). `Entry` is passwd or group; `read` returns the id from a found entry.
template <typename Entry, typename Lookup, typename Read>
auto lookup_id(std::string_view name, std::string_view what, std::string_view error_code,
               int size_hint_name, Lookup lookup, Read read)
    -> Expected<std::optional<decltype(read(std::declval<const Entry&>()))>> {
    using Id = decltype(read(std::declval<const Entry&>()));
    const std::string key(name);
    const long hint = ::sysconf(size_hint_name);
    std::vector<char> buffer(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
    for (;;) {
        Entry entry{};
        Entry* found = nullptr;
        const int rc = lookup(key.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < 1024 * 1024) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0) {
            return make_error(
                std::string(error_code),
                "cannot look up " + std::string(what) + " \"" + key + "\": " + std::strerror(rc));
        }
        if (found == nullptr) return std::optional<Id>();
        return std::optional<Id>(read(entry));
    }
}

}  // namespace

Expected<PeerCredentials> read_peer_credentials(int fd, std::string_view error_code) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
        return make_error(std::string(error_code),
                          std::string("cannot read the peer's credentials (SO_PEERCRED): ") +
                              std::strerror(errno));
    }
    return PeerCredentials{cred.uid, cred.gid, cred.pid};
}

Expected<std::optional<std::vector<gid_t>>> read_peer_groups(int fd, std::string_view error_code) {
    // The list was fixed at connect(), so one retry with the size the kernel asks for is enough;
    // the loop only guards against a kernel that reports a wrong size.
    std::vector<gid_t> groups(32);
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
            groups.resize(len / sizeof(gid_t));
            return std::optional<std::vector<gid_t>>(std::move(groups));
        }
        if (errno == ENOPROTOOPT) return std::optional<std::vector<gid_t>>();
        if (errno != ERANGE) break;
        groups.resize(len / sizeof(gid_t) + 1);
    }
    return make_error(
        std::string(error_code),
        std::string("cannot read the peer's groups (SO_PEERGROUPS): ") + std::strerror(errno));
}

Expected<std::optional<uid_t>> lookup_uid(std::string_view name, std::string_view error_code) {
    return lookup_id<passwd>(name, "user", error_code, _SC_GETPW_R_SIZE_MAX, ::getpwnam_r,
                             [](const passwd& p) { return p.pw_uid; });
}

Expected<std::optional<gid_t>> lookup_gid(std::string_view name, std::string_view error_code) {
    return lookup_id<group>(name, "group", error_code, _SC_GETGR_R_SIZE_MAX, ::getgrnam_r,
                            [](const group& g) { return g.gr_gid; });
}

}  // namespace lintel::common
