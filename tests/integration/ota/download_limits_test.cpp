// Downloader limits: free space (a faked figure and a real small tmpfs), ENOSPC mid-way, abort,
// overall deadline, bandwidth limit, bounded progress reports.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <cstring>
#include <thread>

#include "download_fixture.hpp"
#include "support/asio_run.hpp"
#include "support/files.hpp"

namespace lintel::ota::test {
namespace {

using lintel::test::read_file;
using lintel::test::TestWatchdog;
using Clock = std::chrono::steady_clock;

// A tmpfs of a given size on a directory, unmounted on destruction. Needs root (CI is root).
class SmallTmpfs {
public:
    static std::unique_ptr<SmallTmpfs> mount(const std::filesystem::path& dir, std::size_t bytes,
                                             std::string& why_not) {
        if (::geteuid() != 0) {
            why_not = "mounting a tmpfs needs root";
            return nullptr;
        }
        std::filesystem::create_directories(dir);
        const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
        if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
            why_not = std::string("mount tmpfs failed: ") + std::strerror(errno);
            return nullptr;
        }
        return std::unique_ptr<SmallTmpfs>(new SmallTmpfs(dir));
    }
    ~SmallTmpfs() { ::umount2(dir_.c_str(), MNT_DETACH); }
    const std::filesystem::path& path() const { return dir_; }

private:
    explicit SmallTmpfs(std::filesystem::path dir) : dir_(std::move(dir)) {}
    std::filesystem::path dir_;
};

TEST_F(DownloadTest, NotEnoughSpaceIsRefusedBeforeAnyRequest) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/fw.bin", make_content(100'000));
    auto s = settings();
    s.space_margin = 4096;
    std::filesystem::path asked;
    s.free_space = [&](const std::filesystem::path& dir) -> Expected<std::uint64_t> {
        asked = dir;
        return 100'000 + 4095;  // one byte short of size + margin
    };
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", 100'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.no_space");
    EXPECT_EQ(asked, dir_.path());
    EXPECT_TRUE(server_->requests().empty());
    EXPECT_FALSE(present(destination()));
}

TEST_F(DownloadTest, SpaceCheckCountsWhatThePartFileAlreadyHolds) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(400'000);
    server_->put("/fw.bin", content);
    // What an earlier run left: 300,000 bytes and their meta (the server's first ETag).
    auto leave_part = [&] {
        ASSERT_TRUE(lintel::test::write_file(part(), content.substr(0, 300'000), 0600));
        ASSERT_TRUE(lintel::test::write_file(
            part_meta(),
            "lintel-ota-part 1\nresource https://127.0.0.1:" + std::to_string(server_->port()) +
                "/fw.bin\nsize 400000\netag \"v1-400000\"\ncommitted 300000\n",
            0600));
    };
    leave_part();
    std::uint64_t free_bytes = 99'999;
    auto s = settings();
    s.free_space = [&](const std::filesystem::path&) -> Expected<std::uint64_t> {
        return free_bytes;
    };
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.no_space");
    EXPECT_EQ(file_size_or_zero(part()), 300'000u);  // refused, nothing thrown away
    free_bytes = 100'000;
    r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->resumed_from, 300'000u);
    EXPECT_EQ(*read_file(destination()), content);
    EXPECT_EQ(server_->requests().at(0).range, "bytes=300000-");
}

TEST_F(DownloadTest, SmallTmpfsIsRefusedByStatvfs) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    std::string why_not;
    auto fs = SmallTmpfs::mount(dir_.path() / "small", 1 << 20, why_not);
    if (!fs) GTEST_SKIP() << why_not;
    server_->put("/fw.bin", make_content(2 << 20));
    auto d = make_downloader();  // statvfs, no hook
    auto r = fetch(d, DownloadRequest{server_->url("/fw.bin"), 2 << 20, fs->path() / "fw.bin"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.no_space");
    EXPECT_NE(r.error().message.find(fs->path().string()), std::string::npos);
    EXPECT_TRUE(server_->requests().empty());
}

TEST_F(DownloadTest, DiskFullMidwayKeepsWhatWasWritten) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    std::string why_not;
    auto fs = SmallTmpfs::mount(dir_.path() / "small", 1 << 20, why_not);
    if (!fs) GTEST_SKIP() << why_not;
    const auto content = make_content(2 << 20);
    server_->put("/fw.bin", content);
    auto s = settings();
    // The space check believes there is room (another process filled the disk since).
    s.free_space = [](const std::filesystem::path&) -> Expected<std::uint64_t> {
        return 1ULL << 40;
    };
    auto d = make_downloader(s);
    const auto target = fs->path() / "fw.bin";
    auto r = fetch(d, DownloadRequest{server_->url("/fw.bin"), content.size(), target});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.no_space") << r.error().message;
    EXPECT_FALSE(present(target));
    EXPECT_EQ(server_->requests().size(), 1u);  // not retried
    // Nothing lost: what is in .part is the artifact's beginning, whole chunks only.
    auto kept = read_file(target.string() + ".part");
    ASSERT_TRUE(kept);
    EXPECT_GT(kept->size(), 0u);
    EXPECT_LT(kept->size(), content.size());
    EXPECT_EQ(*kept, content.substr(0, kept->size()));
}

TEST_F(DownloadTest, AbortEndsTheDownloadQuicklyAndKeepsThePartFile) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(4 * k_mib);
    server_->put("/fw.bin", content);
    auto s = settings();
    s.bandwidth_limit = 512 * 1024;  // 8 s for the whole file
    s.progress_step_percent = 1;
    auto d = make_downloader(s);
    Clock::time_point aborted_at{};
    auto r = fetch(d, request("/fw.bin", content.size()), [&](std::uint64_t b, auto) {
        if (b >= 256 * 1024 && aborted_at == Clock::time_point{}) {
            aborted_at = Clock::now();
            d.abort(PartialFile::keep);
        }
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.aborted");
    ASSERT_NE(aborted_at, Clock::time_point{});
    EXPECT_LT(finished_at_ - aborted_at, 1s);
    EXPECT_FALSE(present(destination()));
    const auto kept = file_size_or_zero(part());
    EXPECT_GE(kept, 256u * 1024);
    EXPECT_EQ(read_file(part())->substr(0, kept), content.substr(0, kept));
    EXPECT_TRUE(present(part_meta()));
}

TEST_F(DownloadTest, AbortCanRemoveThePartFile) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(4 * k_mib);
    server_->put("/fw.bin", content);
    auto s = settings();
    s.bandwidth_limit = 512 * 1024;
    s.progress_step_percent = 1;
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", content.size()), [&](std::uint64_t b, auto) {
        if (b >= 128 * 1024) d.abort(PartialFile::remove);
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.aborted");
    EXPECT_FALSE(present(part()));
    EXPECT_FALSE(present(part_meta()));
    EXPECT_FALSE(present(destination()));
}

TEST_F(DownloadTest, AbortDuringARetryWaitAndDuringAStallIsQuick) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/busy.bin", make_content(1000));
    server_->set_faults("/busy.bin", FileFaults{.status = 503});
    server_->put("/stall.bin", make_content(100'000));
    server_->set_faults("/stall.bin", FileFaults{.stall_at = 0});
    for (const std::string path : {"/busy.bin", "/stall.bin"}) {
        auto s = settings();
        s.retry_initial = 20s;
        s.retry_max = 20s;
        s.timeout = 20s;
        auto d = make_downloader(s);
        std::optional<Expected<DownloadResult>> out;
        Clock::time_point done{};
        asio::co_spawn(io_, d.fetch(request(path, path == "/busy.bin" ? 1000 : 100'000)),
                       [&](std::exception_ptr, Expected<DownloadResult> r) {
                           done = Clock::now();
                           out = std::move(r);
                       });
        const auto before = server_->requests().size();
        ASSERT_TRUE(lintel::test::run_until(
            io_, [&] { return server_->requests().size() > before; }, 10s));
        lintel::test::run_for(io_, 100ms);  // into the retry wait, or the stalled read
        ASSERT_FALSE(out.has_value());
        // From another thread, as an emergency stop handler might.
        const auto aborted_at = Clock::now();
        std::thread([&] { d.abort(PartialFile::keep); }).join();
        ASSERT_TRUE(lintel::test::run_until(
            io_, [&] { return out.has_value(); }, 5s))
            << path;
        ASSERT_FALSE(*out);
        EXPECT_EQ(out->error().code, "ota.aborted") << path;
        EXPECT_LT(done - aborted_at, 1s) << path;
    }
}

TEST_F(DownloadTest, OverallDeadlineEndsAStalledDownload) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/fw.bin", make_content(100'000));
    server_->set_faults("/fw.bin", FileFaults{.stall_at = 50'000});
    auto s = settings();
    s.timeout = 20s;
    s.deadline = 500ms;
    auto d = make_downloader(s);
    const auto start = Clock::now();
    auto r = fetch(d, request("/fw.bin", 100'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_failed");
    EXPECT_NE(r.error().message.find("deadline"), std::string::npos) << r.error().message;
    EXPECT_LT(finished_at_ - start, 5s);
    EXPECT_EQ(file_size_or_zero(part()), 50'000u);
}

TEST_F(DownloadTest, BandwidthLimitIsHonoured) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const std::uint64_t limit = 256 * 1024;
    const auto content = make_content(384 * 1024);
    server_->put("/fw.bin", content);
    auto s = settings();
    s.bandwidth_limit = limit;
    auto d = make_downloader(s);
    const auto start = Clock::now();
    auto r = fetch(d, request("/fw.bin", content.size()));
    const auto took = Clock::now() - start;
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*read_file(destination()), content);
    // The bucket starts empty: never faster than the limit (no upper bound: machines vary).
    const auto floor = std::chrono::duration<double>(static_cast<double>(content.size()) /
                                                     static_cast<double>(limit));
    EXPECT_GE(std::chrono::duration<double>(took).count(), floor.count() * 0.98);
}

TEST_F(DownloadTest, BandwidthPausesAreNotIdleTimeouts) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(8 * 1024);
    server_->put("/fw.bin", content);
    auto s = settings();
    s.bandwidth_limit = 4096;  // pauses of up to 250 ms between reads
    s.timeout = 150ms;
    s.max_retries = 0;
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->attempts, 1u);
    EXPECT_EQ(*read_file(destination()), content);
}

TEST_F(DownloadTest, ProgressReportsAreBounded) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(8 * k_mib);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.drop_after = 3 * k_mib});
    auto s = settings();
    s.progress_step_percent = 10;
    auto d = make_downloader(s);
    std::vector<std::uint64_t> reports;
    auto r = fetch(d, request("/fw.bin", content.size()), [&](std::uint64_t b, std::uint64_t t) {
        EXPECT_EQ(t, content.size());
        reports.push_back(b);
    });
    ASSERT_TRUE(r) << r.error().message;
    // 8 MiB in 64 KiB reads would be 128 reports; 10 % steps give at most 10 + first + last.
    EXPECT_LE(reports.size(), 12u);
    EXPECT_GE(reports.size(), 9u);
    EXPECT_EQ(reports.front(), 0u);
    EXPECT_EQ(reports.back(), content.size());
    EXPECT_TRUE(std::is_sorted(reports.begin(), reports.end()));
}

TEST_F(DownloadTest, ProgressMinimumIntervalHoldsBackFastReports) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(4 * k_mib);
    server_->put("/fw.bin", content);
    auto s = settings();
    s.progress_step_percent = 1;
    s.progress_min_interval = 10s;  // longer than the download: only first and last
    auto d = make_downloader(s);
    std::vector<std::uint64_t> reports;
    auto r = fetch(d, request("/fw.bin", content.size()),
                   [&](std::uint64_t b, std::uint64_t) { reports.push_back(b); });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(reports, (std::vector<std::uint64_t>{0, content.size()}));
}

}  // namespace
}  // namespace lintel::ota::test
