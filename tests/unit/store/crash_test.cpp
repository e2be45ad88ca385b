// Durability: a child ingests through StoreService and reports committed counts on a pipe; the
// parent kill -9's it mid-ingest and checks every point reported as accepted is in the buffer.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "store/store_service.hpp"
#include "store_test_util.hpp"

namespace lintel::store {
namespace {

using namespace std::chrono_literals;

class NullLogger final : public sdk::Logger {
public:
    void log(sdk::LogLevel, std::string_view, std::initializer_list<sdk::LogField>) override {}
    bool enabled(sdk::LogLevel) const override { return false; }
};

[[noreturn]] void child_main(const std::filesystem::path& db, int report_fd) {
    NullLogger log;
    asio::io_context io;
    auto guard = asio::make_work_guard(io);  // poll() must not stop the context when it runs dry
    StoreOptions o;
    o.buffer.path = db;
    o.buffer.gateway_id = "gw-crash";
    o.commit_interval = 5ms;
    o.commit_batch = 2000;
    auto svc = StoreService::start(o, io.get_executor(), log);
    if (!svc) _exit(3);
    std::uint64_t reported = 0;
    (*svc)->on_data_available([&] {
        const std::uint64_t accepted = (*svc)->stats().accepted_total;
        if (accepted != reported) {
            reported = accepted;
            if (write(report_fd, &accepted, sizeof accepted) != sizeof accepted) _exit(4);
        }
    });
    std::int64_t next = 0;
    while (true) {  // until killed
        io.poll();
        if ((*svc)->ingest_room() >= 500) {
            (*svc)->ingest(test::numbered_points(next, 500));
            next += 500;
        } else {
            io.run_one_for(1ms);
        }
    }
}

TEST(StoreCrash, KilledMidIngestLosesNothingAccepted) {
    test::TempDir dir;
    const auto db = dir.file("buffer.db");
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(db, fds[1]);
    }
    close(fds[1]);

    // Wait (with a deadline) until a good number of commits were reported, then kill mid-stream.
    std::uint64_t accepted = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (accepted < 60'000 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
            std::uint64_t v = 0;
            if (read(fds[0], &v, sizeof v) != sizeof v) break;
            accepted = v;
        }
    }
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    // Reports written before the kill are still in the pipe.
    std::uint64_t v = 0;
    while (read(fds[0], &v, sizeof v) == sizeof v) accepted = v;
    close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << WEXITSTATUS(status);
    ASSERT_GE(accepted, 60'000u);

    test::CapturingLogger log;
    BufferOptions o;
    o.path = db;
    o.gateway_id = "gw-crash";
    auto buffer = Buffer::open(o, log);
    ASSERT_TRUE(buffer.has_value()) << buffer.error().message;
    EXPECT_FALSE((*buffer)->moved_aside().has_value());
    const auto stats = (*buffer)->stats();
    EXPECT_GE(stats.queued_points, accepted);

    // Every accepted point, in order, no duplicates.
    std::int64_t expect = 0;
    while (true) {
        auto r = (*buffer)->next_batch({5000, 120 * 1024});
        ASSERT_TRUE(r.has_value()) << r.error().message;
        if (!*r) break;
        const auto message = nlohmann::json::parse((*r)->payload);
        for (const auto& p : message["points"]) {
            ASSERT_EQ(p["value"].get<std::int64_t>(), expect);
            ++expect;
        }
    }
    EXPECT_GE(static_cast<std::uint64_t>(expect), accepted);
    EXPECT_EQ(static_cast<std::uint64_t>(expect), stats.queued_points);
}

}  // namespace
}  // namespace lintel::store
