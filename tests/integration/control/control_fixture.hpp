// An in-process ControlServer on its own io_context thread with a FakeService, in a per-test
// temp dir; the real lintelctl run against it (as us, or forked as another uid), and raw
// clients for what lintelctl would never send.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "control/control_server.hpp"
#include "fake_service.hpp"
#include "support/capture_logger.hpp"
#include "support/files.hpp"
#include "support/process.hpp"

namespace lintel::test {

struct CtlRun {
    int code = -1;  // exit code; -1 when it did not exit normally in time
    std::string out;
    std::string err;
};

struct SeenPeer {
    uid_t uid = 0;
    pid_t pid = 0;
    std::string what;  // on_refused: the reason; on_request: describe(request)
};

// The admin group the tests pass as a number (no such group needs to exist).
inline constexpr gid_t k_test_admin_gid = 4242;
inline constexpr uid_t k_other_uid = 65534;

class ControlFixture : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    std::filesystem::path socket_path() const { return dir_ / "control.sock"; }
    // Short deadlines so that timeout tests are quick; admin group k_test_admin_gid.
    control::ControlServerOptions test_options() const;
    // Creates and starts the server on the loop thread; fails the test if start() fails.
    void start_server(std::optional<control::ControlServerOptions> options = std::nullopt);
    Expected<void> try_start_server(control::ControlServerOptions options);
    void stop_server();
    std::size_t server_connections();

    // lintelctl --socket <socket_path()> args..., as this process's user.
    CtlRun ctl(const std::vector<std::string>& args);
    // Starts it without waiting (for concurrency tests); collect with finish().
    Process start_ctl(const std::vector<std::string>& args, int n);
    CtlRun finish(Process& process, int n);
    // The same from a forked child that called setgroups(groups), setgid(gid), setuid(uid)
    // before exec; lintelctl is copied into the temp dir, which becomes 0711.
    CtlRun ctl_as(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                  const std::vector<std::string>& args);

    // Sends `bytes` on a fresh connection (then half-closes if asked), reads until EOF or
    // `timeout`; returns what the server sent.
    std::string exchange(const std::string& bytes, bool half_close = false,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // A connection that sent nothing yet (-1 on failure); the caller closes it.
    int open_raw();

    std::vector<SeenPeer> refused() const;
    std::vector<SeenPeer> requests() const;

    // Runs `f` on the loop thread and returns its result.
    template <typename F>
    auto on_loop(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto done = task.get_future();
        asio::post(io_, [&task] { task(); });
        if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
            ADD_FAILURE() << "the loop thread did not run the task within 10 s";
            std::abort();  // `task` is on this stack; the loop may still run it
        }
        return done.get();
    }

    TempDir dir_{"lintel-control-test"};
    FakeService service_;
    CaptureLogger log_{"control", false};
    asio::io_context io_;

private:
    std::filesystem::path copied_ctl();

    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    std::thread loop_;
    std::unique_ptr<control::ControlServer> server_;
    mutable std::mutex seen_mutex_;
    std::vector<SeenPeer> refused_;
    std::vector<SeenPeer> requests_;
    int runs_ = 0;
};

}  // namespace lintel::test
