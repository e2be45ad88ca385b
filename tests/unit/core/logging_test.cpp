// Log lines stay one line (a peer's error text may carry newlines) and carry their fields.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/logging.hpp"

namespace lintel::core {
namespace {

// Runs `emit` with stderr redirected to a temp file and returns what was written.
template <typename F>
std::string capture_stderr(F emit) {
    std::fflush(stderr);
    char path[] = "/tmp/lintel-log-test-XXXXXX";
    const int fd = ::mkstemp(path);
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(fd, STDERR_FILENO);
    emit();
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string out;
    char buf[4096];
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    ::unlink(path);
    return out;
}

TEST(DaemonLogger, OneLinePerMessageWithFieldsAndLevel) {
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::info);
    const std::string out = capture_stderr([&] {
        log.warning("device answered\nwith junk",
                    {{"DEVICE", "meter-1"}, {"REASON", "bad\r\nframe"}});
    });
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
    EXPECT_NE(out.find("warning: device answered\\nwith junk DEVICE=meter-1 REASON=bad\\r\\nframe"),
              std::string::npos)
        << out;
}

TEST(DaemonLogger, LevelFiltersAndCanBeChangedAtRunTime) {
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::warning);
    EXPECT_TRUE(capture_stderr([&] { log.info("hidden"); }).empty());
    log.set_level(sdk::LogLevel::debug);
    EXPECT_NE(capture_stderr([&] { log.debug("shown"); }).find("debug: shown"), std::string::npos);
}

TEST(ScopedLogger, AddsItsFieldsFirst) {
    DaemonLogger log(LogSink::stderr_lines, sdk::LogLevel::debug);
    ScopedLogger scoped(log, {{"DEVICE", "ahu-3"}});
    const std::string out = capture_stderr([&] { scoped.info("polled", {{"POINTS", "12"}}); });
    EXPECT_NE(out.find("info: polled DEVICE=ahu-3 POINTS=12"), std::string::npos) << out;
}

TEST(JournalDetection, OnlyWhenJournalStreamMatchesStderr) {
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);  // some other file: not our stderr
    EXPECT_FALSE(stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
}

}  // namespace
}  // namespace lintel::core
