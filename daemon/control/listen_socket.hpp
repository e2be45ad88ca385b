// The control socket's listening fd: adopted from systemd, or created at a path with the
// right owner group and mode. Plain POSIX; ControlServer hands the fd to asio.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "control/protocol.hpp"
#include "lintel/error.hpp"

namespace lintel::control {

struct ListenSocket {
    int fd = -1;
    std::filesystem::path path;  // for logs; empty for an unnamed socket
    bool created = false;        // we bound it (and remove the file on stop)
    dev_t dev = 0;               // the socket file we created, so that stop removes only it
    ino_t ino = 0;
    std::string note;  // non-empty when the socket is narrower than asked (group not set)
};

// An already-listening AF_UNIX stream socket, e.g. from systemd (the caller did sd_listen_fds).
// Checked, made close-on-exec; ownership passes to the result. Errors: control.socket.
Expected<ListenSocket> adopt_listen_socket(int fd);

// Creates, binds and listens at `path` with mode 0660 and group `admin_gid` (when the process
// may chgrp to it: root, or a member; otherwise note says who can connect). An existing socket
// file is replaced only when nothing listens on it; any other kind of file is never removed.
// Errors: control.socket, control.in_use.
Expected<ListenSocket> create_listen_socket(const std::filesystem::path& path,
                                            std::optional<gid_t> admin_gid,
                                            const std::string& admin_group_name);

// Removes the socket file if `socket` created it and the file is still that socket (another
// linteld may have replaced it since). Call it before closing socket.fd: a bound socket pins
// its file's inode, so until then no other file can have the same device and inode numbers.
// Errors are ignored: this runs at shutdown.
void remove_socket_file(const ListenSocket& socket);

}  // namespace lintel::control
