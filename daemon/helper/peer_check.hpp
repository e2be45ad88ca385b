// Who is on the other end of the connection (SO_PEERCRED) and whether they may use the helper.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "common/peer_credentials.hpp"
#include "lintel/error.hpp"

namespace lintel::helper {

using common::PeerCredentials;

// The credentials the kernel recorded when the peer called connect(); the peer cannot forge them.
Expected<PeerCredentials> read_peer_credentials(int fd);

// The uid of user `name`: nullopt when there is no such user, an error when the lookup failed.
Expected<std::optional<uid_t>> lookup_uid(std::string_view name);

// Root and one named user may use the helper. Defence in depth on top of the socket's
// 0660 root:lintel mode, which already lets only root and the lintel group connect.
class PeerPolicy {
public:
    // When `user` cannot be resolved only root is allowed, and note() says why.
    static PeerPolicy for_user(std::string_view user);

    bool allows(uid_t uid) const { return uid == 0 || (user_uid_ && *user_uid_ == uid); }
    // Empty unless the policy is narrower than asked for (the user was not found).
    const std::string& note() const { return note_; }

private:
    std::optional<uid_t> user_uid_;
    std::string note_;
};

}  // namespace lintel::helper
