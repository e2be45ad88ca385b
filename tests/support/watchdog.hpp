// Test support: a watchdog that turns a hanging test into a failing one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace lintel::test {

// Put one at the top of every test that waits on anything:
//     TestWatchdog dog(30s);                         // prints and aborts on expiry
//     TestWatchdog dog(30s, [&] { io.stop(); });     // fails the test, unblocks it, then returns
// On expiry it records a gtest failure naming the test. With `on_expire` it calls it (from the
// watchdog thread: it must be thread-safe, e.g. io_context::stop) and gives the test `grace` to
// unwind; without one, or if the test is still stuck after the grace, it aborts the process so
// ctest reports the failure at once instead of at its own (much later) timeout.
class TestWatchdog {
public:
    explicit TestWatchdog(std::chrono::milliseconds timeout, std::function<void()> on_expire = {},
                          std::chrono::milliseconds grace = std::chrono::seconds(10));
    ~TestWatchdog();
    TestWatchdog(const TestWatchdog&) = delete;
    TestWatchdog& operator=(const TestWatchdog&) = delete;

    bool expired() const;

private:
    void run(std::chrono::milliseconds timeout, std::chrono::milliseconds grace);

    std::string test_name_;
    std::function<void()> on_expire_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool done_ = false;
    bool expired_ = false;
    std::thread thread_;
};

}  // namespace lintel::test
