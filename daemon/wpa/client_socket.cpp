// ClientSocket: the private directory check, a unique bound path, connect with mapped errors.
#include "wpa/client_socket.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "wpa/reason_codes.hpp"

namespace lintel::wpa {
namespace {

std::atomic<std::uint64_t> g_counter{0};

std::unexpected<Error> io_error(std::string message) {
    return make_error(std::string(reason::io), std::move(message));
}

Expected<void> private_dir(const std::filesystem::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            return io_error("cannot inspect the wpa client directory " + dir.string() + ": " +
                            std::strerror(errno));
        }
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
            return io_error("cannot create the wpa client directory " + dir.string() + ": " +
                            std::strerror(errno));
        }
        if (::lstat(dir.c_str(), &st) != 0) {
            return io_error("cannot inspect the wpa client directory " + dir.string() + ": " +
                            std::strerror(errno));
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        return io_error("the wpa client directory " + dir.string() +
                        " is not a directory (or is a symlink)");
    }
    if (st.st_uid != ::geteuid()) {
        return io_error("the wpa client directory " + dir.string() + " belongs to uid " +
                        std::to_string(st.st_uid) + ", not to us");
    }
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return io_error("the wpa client directory " + dir.string() + " has mode " + mode +
                        ": others could reach our socket; want 0700");
    }
    return {};
}

}  // namespace

Expected<std::unique_ptr<ClientSocket>> ClientSocket::open(const asio::any_io_executor& executor,
                                                           const std::filesystem::path& dir) {
    if (auto ok = private_dir(dir); !ok) return std::unexpected(ok.error());
    const auto path = dir / ("wpa-" + std::to_string(::getpid()) + "-" +
                             std::to_string(g_counter.fetch_add(1) + 1));
    boost::system::error_code ec;
    Socket socket(executor);
    socket.open(asio::local::datagram_protocol(), ec);
    if (ec) return io_error("cannot open a Unix datagram socket: " + ec.message());
    // A leftover of an earlier process with the same pid (after a crash) would block the bind.
    ::unlink(path.c_str());
    asio::local::datagram_protocol::endpoint endpoint;
    try {
        endpoint = asio::local::datagram_protocol::endpoint(path.string());
    } catch (const boost::system::system_error& e) {
        return io_error("wpa client socket path " + path.string() + " is unusable: " + e.what());
    }
    socket.bind(endpoint, ec);
    if (ec)
        return io_error("cannot bind the wpa client socket " + path.string() + ": " + ec.message());
    return std::unique_ptr<ClientSocket>(new ClientSocket(std::move(socket), path));
}

ClientSocket::~ClientSocket() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    ::unlink(path_.c_str());
}

Expected<void> ClientSocket::connect(const std::filesystem::path& server) {
    connected_ = false;
    asio::local::datagram_protocol::endpoint endpoint;
    try {
        endpoint = asio::local::datagram_protocol::endpoint(server.string());
    } catch (const boost::system::system_error& e) {
        return make_error(
            std::string(reason::unreachable),
            "wpa_supplicant socket path " + server.string() + " is unusable: " + e.what());
    }
    boost::system::error_code ec;
    socket_.connect(endpoint, ec);
    if (ec) return std::unexpected(peer_error(ec, server, "connect to"));
    connected_ = true;
    return {};
}

Error peer_error(const boost::system::error_code& ec, const std::filesystem::path& server,
                 std::string_view doing) {
    const std::string what = "cannot " + std::string(doing) + " wpa_supplicant at " +
                             server.string() + ": " + ec.message();
    if (ec == boost::system::errc::no_such_file_or_directory) {
        return {std::string(reason::unreachable),
                what + " (not running, or ctrl_interface points elsewhere)"};
    }
    if (ec == boost::system::errc::connection_refused || ec == boost::system::errc::not_connected) {
        return {std::string(reason::unreachable), what + " (nobody behind the socket)"};
    }
    if (ec == boost::system::errc::permission_denied ||
        ec == boost::system::errc::operation_not_permitted) {
        return {std::string(reason::permission),
                what + " (ctrl_interface GROUP= must include our group)"};
    }
    return {std::string(reason::io), what};
}

}  // namespace lintel::wpa
