// Test support: TestWatchdog — fail (and if need be abort) a test that exceeds its deadline.
#include "support/watchdog.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace lintel::test {

TestWatchdog::TestWatchdog(std::chrono::milliseconds timeout, std::function<void()> on_expire,
                           std::chrono::milliseconds grace)
    : on_expire_(std::move(on_expire)) {
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
        test_name_ = std::string(info->test_suite_name()) + "." + info->name();
    } else {
        test_name_ = "(outside a test)";
    }
    thread_ = std::thread([this, timeout, grace] { run(timeout, grace); });
}

TestWatchdog::~TestWatchdog() {
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

bool TestWatchdog::expired() const {
    std::lock_guard lock(mutex_);
    return expired_;
}

void TestWatchdog::run(std::chrono::milliseconds timeout, std::chrono::milliseconds grace) {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, timeout, [this] { return done_; })) return;
    expired_ = true;
    std::fprintf(stderr, "\n*** watchdog: %s exceeded %lld ms\n", test_name_.c_str(),
                 static_cast<long long>(timeout.count()));
    std::fflush(stderr);
    if (!on_expire_) std::abort();
    ADD_FAILURE() << "watchdog: test exceeded " << timeout.count() << " ms";
    lock.unlock();
    on_expire_();
    lock.lock();
    if (cv_.wait_for(lock, grace, [this] { return done_; })) return;
    std::fprintf(stderr, "*** watchdog: %s still stuck %lld ms after on_expire; aborting\n",
                 test_name_.c_str(), static_cast<long long>(grace.count()));
    std::fflush(stderr);
    std::abort();
}

}  // namespace lintel::test
