// Our end of wpa_supplicant's control socket: a Unix datagram socket bound to a unique path in a
// private directory (wpa_supplicant answers to that path), removed again on close.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/local/datagram_protocol.hpp>
#include <filesystem>
#include <memory>

#include "lintel/error.hpp"

namespace lintel::wpa {

class ClientSocket {
public:
    using Socket = asio::local::datagram_protocol::socket;

    // Makes `dir` (0700) when it is missing; refuses one that is a symlink, not ours, or open to
    // group or others (wpa.io): a reply must reach us only. Binds "wpa-<pid>-<n>" in it.
    static Expected<std::unique_ptr<ClientSocket>> open(const asio::any_io_executor& executor,
                                                        const std::filesystem::path& dir);

    ClientSocket(const ClientSocket&) = delete;
    ClientSocket& operator=(const ClientSocket&) = delete;
    ~ClientSocket();  // closes and removes the path

    // connect(2) to wpa_supplicant's socket; done again after it restarted (the old peer is
    // gone). ENOENT/ECONNREFUSED: wpa.unreachable; EACCES/EPERM: wpa.permission.
    Expected<void> connect(const std::filesystem::path& server);
    bool connected() const { return connected_; }
    void disconnected() { connected_ = false; }

    Socket& socket() { return socket_; }
    const std::filesystem::path& path() const { return path_; }

private:
    ClientSocket(Socket socket, std::filesystem::path path)
        : socket_(std::move(socket)), path_(std::move(path)) {}

    Socket socket_;
    std::filesystem::path path_;
    bool connected_ = false;
};

// The error a connect or send to wpa_supplicant's socket `server` ended with, as a wpa.* code.
Error peer_error(const boost::system::error_code& ec, const std::filesystem::path& server,
                 std::string_view doing);

}  // namespace lintel::wpa
