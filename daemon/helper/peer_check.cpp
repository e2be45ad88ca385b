// SO_PEERCRED and the allowed-user lookup behind PeerPolicy (both from daemon/common).
#include "helper/peer_check.hpp"

#include "helper/protocol.hpp"

namespace lintel::helper {

Expected<PeerCredentials> read_peer_credentials(int fd) {
    return common::read_peer_credentials(fd, codes::internal);
}

Expected<std::optional<uid_t>> lookup_uid(std::string_view name) {
    return common::lookup_uid(name, codes::internal);
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
