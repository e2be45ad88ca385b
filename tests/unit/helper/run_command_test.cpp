// The command runner: fixed argv and env, captured output, exit status, deadline, output cap.
#include "helper/run_command.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "support/watchdog.hpp"

namespace lintel::helper {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

CommandSpec sh(std::string script, std::chrono::milliseconds timeout = 5s) {
    CommandSpec spec;
    spec.argv = {"/bin/sh", "-c", std::move(script)};
    spec.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
    spec.timeout = timeout;
    return spec;
}

TEST(RunCommand, CapturesBothStreamsAndTheExitCode) {
    test::TestWatchdog dog(20s);
    auto r = run_command(sh("echo out; echo err >&2; echo \"$ONLY\"; exit 3"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->exited);
    EXPECT_EQ(r->exit_code, 3);
    EXPECT_EQ(r->out, "out\nthis\n");
    EXPECT_EQ(r->err, "err\n");
    EXPECT_FALSE(r->truncated);
}

TEST(RunCommand, TheEnvironmentIsExactlyTheSpec) {
    test::TestWatchdog dog(20s);
    ::setenv("LINTEL_SHOULD_NOT_LEAK", "1", 1);
    auto r = run_command(sh("env | sort"));
    ::unsetenv("LINTEL_SHOULD_NOT_LEAK");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->out.find("LINTEL_SHOULD_NOT_LEAK"), std::string::npos) << r->out;
    EXPECT_NE(r->out.find("ONLY=this"), std::string::npos) << r->out;
}

TEST(RunCommand, NoShellAndNoPathSearch) {
    CommandSpec spec;
    spec.argv = {"sh", "-c", "true"};
    auto relative = run_command(spec);
    ASSERT_FALSE(relative);
    EXPECT_EQ(relative.error().code, "helper.internal");
    spec.argv = {"/nonexistent/program"};
    auto missing = run_command(spec);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nonexistent/program"), std::string::npos);
}

TEST(RunCommand, AHangingCommandIsKilledAtTheDeadline) {
    test::TestWatchdog dog(20s);
    const auto start = Clock::now();
    auto r = run_command(sh("exec sleep 30", 200ms));
    const auto took = Clock::now() - start;
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("did not finish within 200 ms"), std::string::npos)
        << r.error().message;
    EXPECT_LT(took, 5s);
}

TEST(RunCommand, ClosingOutputDoesNotEndTheWait) {
    test::TestWatchdog dog(20s);
    // Closes stdout and stderr, then keeps running: still bounded by the deadline.
    auto r = run_command(sh("exec >&- 2>&-; exec sleep 30", 200ms));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("did not finish"), std::string::npos) << r.error().message;
}

TEST(RunCommand, OutputBeyondTheCapIsDroppedNotBlocking) {
    test::TestWatchdog dog(20s);
    auto spec = sh("head -c 1000000 /dev/zero");
    spec.max_output = 1000;
    auto r = run_command(spec);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->exit_code, 0);
    EXPECT_EQ(r->out.size(), 1000u);
    EXPECT_TRUE(r->truncated);
}

TEST(RunCommand, KilledBySignalIsAResult) {
    test::TestWatchdog dog(20s);
    auto r = run_command(sh("kill -9 $$"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->exited);
    EXPECT_EQ(r->signal, 9);
}

}  // namespace
}  // namespace lintel::helper
