// read_peer, the admin group lookup and the access decision.
#include "control/peer_policy.hpp"

#include <algorithm>
#include <fstream>

#include "common/peer_credentials.hpp"
#include "control/protocol.hpp"

namespace lintel::control {
namespace {

gid_t overflow_gid() {
    std::ifstream in("/proc/sys/kernel/overflowgid");
    unsigned long value = 65534;
    if (!(in >> value)) value = 65534;
    return static_cast<gid_t>(value);
}

}  // namespace

Expected<Peer> read_peer(int fd) {
    auto cred = common::read_peer_credentials(fd, codes::internal);
    if (!cred) return std::unexpected(cred.error());
    auto groups = common::read_peer_groups(fd, codes::internal);
    if (!groups) return std::unexpected(groups.error());
    Peer peer;
    peer.uid = cred->uid;
    peer.gid = cred->gid;
    peer.pid = cred->pid;
    if (*groups) {
        peer.groups = std::move(**groups);
    } else {
        peer.groups_known = false;
    }
    return peer;
}

AdminGroup resolve_admin_group(std::string_view name, std::optional<gid_t> override_gid) {
    AdminGroup group;
    group.name = name.empty() ? std::string("(none)") : std::string(name);
    if (override_gid) {
        group.gid = *override_gid;
        if (name.empty()) group.name = "gid " + std::to_string(*override_gid);
    } else if (!name.empty()) {
        auto gid = common::lookup_gid(name, codes::internal);
        if (!gid) {
            group.note = gid.error().message + "; only root and linteld's user may use lintelctl";
            return group;
        }
        if (!*gid) {
            group.note = "group " + group.name +
                         " does not exist; only root and linteld's user may use lintelctl "
                         "(create it with: addgroup --system " +
                         group.name + ")";
            return group;
        }
        group.gid = **gid;
    } else {
        group.note = "no admin group configured; only root and linteld's user may use lintelctl";
        return group;
    }
    if (*group.gid == overflow_gid()) {
        group.note = "group " + group.name + " has gid " + std::to_string(*group.gid) +
                     ", the kernel's overflow gid that every unmapped group shows as inside a "
                     "user namespace; group access is off, only root and linteld's user may "
                     "use lintelctl";
        group.gid.reset();
    }
    return group;
}

PeerPolicy::PeerPolicy(uid_t daemon_uid, AdminGroup admin)
    : daemon_uid_(daemon_uid), admin_(std::move(admin)) {}

std::optional<std::string> PeerPolicy::refusal(const Peer& peer) const {
    if (peer.uid == 0 || peer.uid == daemon_uid_) return std::nullopt;
    if (admin_.gid) {
        const gid_t gid = *admin_.gid;
        if (peer.gid == gid ||
            std::find(peer.groups.begin(), peer.groups.end(), gid) != peer.groups.end()) {
            return std::nullopt;
        }
        return "uid " + std::to_string(peer.uid) + " is not root and not in group " + admin_.name;
    }
    return "uid " + std::to_string(peer.uid) + " is not root and not linteld's user";
}

std::string PeerPolicy::summary() const {
    std::string out = "root";
    if (daemon_uid_ != 0) out += ", uid " + std::to_string(daemon_uid_) + " (linteld)";
    if (admin_.gid) {
        out += " and group " + admin_.name + " (gid " + std::to_string(*admin_.gid) + ")";
    }
    return out;
}

}  // namespace lintel::control
