// A real lintel-helper behind systemd-socket-activate --accept, in a per-test temp dir, with a
// throwaway dpkg database; plus raw-socket and other-uid clients for what the real client
// would never send.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/process.hpp"

namespace lintel::test {

class HelperFixture : public ::testing::Test {
protected:
    void TearDown() override;

    std::filesystem::path socket_path() const { return dir_ / "helper.sock"; }
    std::filesystem::path admindir() const { return dir_ / "dpkg"; }
    std::filesystem::path log_path() const { return dir_ / "helper.log"; }

    // DIR/status with a "lintel" stanza at `lintel_version` (none when nullopt; another package
    // is listed either way), plus DIR/info and DIR/updates. Checked with dpkg-query itself.
    void make_admindir(const std::optional<std::string>& lintel_version);
    // Starts systemd-socket-activate with the helper (--allow-user root, --dpkg-admindir, a
    // 300 ms read timeout, then `extra_args`) and waits until the socket listens.
    void start_helper(const std::vector<std::string>& extra_args = {});
    // Lets any user reach the socket: the dir becomes 0711, the socket 0666.
    void open_socket_to_everyone();

    // Sends `bytes` on a fresh connection (then half-closes if asked), reads until EOF or
    // `timeout`; returns what the helper sent.
    std::string exchange(const std::string& bytes, bool half_close = false,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // The same from a forked child that dropped to `uid`/`gid` before connecting.
    std::string exchange_as(uid_t uid, gid_t gid, const std::string& bytes);

    // The helper's log (its stderr and systemd-socket-activate's).
    std::string helper_log() const;
    // Waits until the log contains `needle`; false at `timeout`.
    bool wait_for_log(const std::string& needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

    TempDir dir_{"lintel-helper-test"};
    std::optional<Process> activator_;
};

// True when `path` is a listening AF_UNIX socket (read from /proc/net/unix, so checking does
// not connect and start a helper instance).
bool unix_socket_listening(const std::filesystem::path& path);

}  // namespace lintel::test
