// The helper's private OTA state directories and the per-handler lock: created 0700, refused when
// not private, one request per handler, and --ota-recover's bounded wait for the lock.
#include "helper/ota_state.hpp"

#include <sys/file.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <thread>

#include "support/files.hpp"

namespace lintel::helper {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class OtaStateTest : public ::testing::Test {
protected:
    fs::path root() const { return dir_ / "ota"; }
    test::TempDir dir_{"lintel-ota-state"};
};

TEST_F(OtaStateTest, DirectoriesAreCreatedPrivateAndMustStaySo) {
    auto dirs = open_state_dirs(root(), "deb", "lintel");
    ASSERT_TRUE(dirs) << dirs.error().message;
    for (const auto& p : {root(), root() / "deb", root() / "deb/lintel"}) {
        struct stat st {};
        ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
        EXPECT_EQ(st.st_mode & 0777, 0700u) << p;
    }
    ASSERT_EQ(::chmod((root() / "deb").c_str(), 0750), 0);
    auto open = open_state_dirs(root(), "deb", "lintel");
    ASSERT_FALSE(open);
    EXPECT_EQ(open.error().code, "helper.unsafe_path");
    EXPECT_NE(open.error().message.find("mode 0750"), std::string::npos);
}

TEST_F(OtaStateTest, OneRequestPerHandlerAndABoundedWait) {
    auto first = open_state_dirs(root(), "deb", "lintel");
    ASSERT_TRUE(first);
    ASSERT_TRUE(lock_handler(first->handler, "deb"));
    auto second = open_state_dirs(root(), "deb", "other");
    ASSERT_TRUE(second);
    auto busy = lock_handler(second->handler, "deb");
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().code, "ota.busy");
    // Waiting gives up at its deadline, not before.
    const auto start = Clock::now();
    EXPECT_FALSE(lock_handler(second->handler, "deb", 300ms));
    EXPECT_GE(Clock::now() - start, 300ms);
    // ... and takes the lock as soon as the holder lets go.
    std::thread holder([&] {
        std::this_thread::sleep_for(200ms);
        ::flock(first->handler.fd(), LOCK_UN);
    });
    const auto waited_from = Clock::now();
    auto taken = lock_handler(second->handler, "deb", 10s);
    holder.join();
    ASSERT_TRUE(taken) << taken.error().message;
    EXPECT_LT(Clock::now() - waited_from, 5s);
    // Another handler is never blocked.
    auto rauc = open_state_dirs(root(), "rauc", "system");
    ASSERT_TRUE(rauc);
    EXPECT_TRUE(lock_handler(rauc->handler, "rauc"));
}

}  // namespace
}  // namespace lintel::helper
