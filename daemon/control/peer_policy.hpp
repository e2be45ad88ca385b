// Who may use the control socket: root, linteld's own user, and members of the admin group.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::control {

// The peer of one connection, as the kernel recorded it at connect() (it cannot be forged).
struct Peer {
    uid_t uid = 0;
    gid_t gid = 0;  // primary group
    pid_t pid = 0;
    std::vector<gid_t> groups;  // supplementary groups (SO_PEERGROUPS)
    bool groups_known = true;   // false on kernels without SO_PEERGROUPS (< 4.13)
};

// SO_PEERCRED plus SO_PEERGROUPS. Errors: control.internal.
Expected<Peer> read_peer(int fd);

// The admin group as resolved at start: a gid, or none with a note saying why (for the log).
struct AdminGroup {
    std::string name;          // for messages: "lintel-admin", or "gid 4242" for a bare number
    std::optional<gid_t> gid;  // nullopt: only root and linteld's user may connect
    std::string note;          // non-empty when gid is nullopt or something is odd
};

// `override_gid` (a numeric group from the config, or a test's own) wins over the name lookup.
// A gid equal to the kernel's overflow gid (65534, "nogroup") is refused: inside a user
// namespace (systemd's PrivateUsers=) every unmapped peer group shows up as that gid, so it
// would let everyone in.
AdminGroup resolve_admin_group(std::string_view name, std::optional<gid_t> override_gid);

class PeerPolicy {
public:
    PeerPolicy(uid_t daemon_uid, AdminGroup admin);

    // nullopt when `peer` may use the socket, else the refusal message sent to it, e.g.
    // "uid 1001 is not root and not in group lintel-admin".
    std::optional<std::string> refusal(const Peer& peer) const;
    // For the start-up log line: "root, uid 998 (linteld) and group lintel-admin (gid 999)".
    std::string summary() const;
    const AdminGroup& admin_group() const { return admin_; }

private:
    uid_t daemon_uid_;
    AdminGroup admin_;
};

}  // namespace lintel::control
