// Who is on the other end of a local stream socket (SO_PEERCRED, SO_PEERGROUPS), and user and
// group lookups for the policies that decide on it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::common {

struct PeerCredentials {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
};

// The credentials the kernel recorded when the peer called connect(); the peer cannot forge them.
// Errors have code `error_code`.
Expected<PeerCredentials> read_peer_credentials(int fd, std::string_view error_code);

// The peer's supplementary groups as of its connect(). nullopt when the kernel has no
// SO_PEERGROUPS (Linux < 4.13): then only the primary group (SO_PEERCRED) is known.
Expected<std::optional<std::vector<gid_t>>> read_peer_groups(int fd, std::string_view error_code);

// The uid of user `name` / gid of group `name`: nullopt when there is none, an error (code
// `error_code`) when the lookup itself failed (NSS down, ...).
Expected<std::optional<uid_t>> lookup_uid(std::string_view name, std::string_view error_code);
Expected<std::optional<gid_t>> lookup_gid(std::string_view name, std::string_view error_code);

}  // namespace lintel::common
