// Downloader against the faulty HTTPS file server: whole files, resumes, restarts from 0, size
// limits, TLS trust, client certificates, timeouts, progress. Space, abort and bandwidth tests
// are in download_limits_test.cpp.
#include <gtest/gtest.h>

#include "download_fixture.hpp"
#include "support/files.hpp"

namespace lintel::ota::test {
namespace {

using lintel::test::read_file;
using lintel::test::TestWatchdog;

TEST_F(DownloadTest, WholeFile) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(k_mib + 123);
    server_->put("/fw.bin", content);
    auto d = make_downloader();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
    auto r = fetch(d, request("/fw.bin", content.size()),
                   [&](std::uint64_t b, std::uint64_t t) { reports.emplace_back(b, t); });
    ASSERT_TRUE(r) << r.error().code << ": " << r.error().message;
    EXPECT_EQ(r->path, destination());
    EXPECT_EQ(r->size, content.size());
    EXPECT_EQ(r->sha256, sha256_of(content));
    EXPECT_EQ(r->attempts, 1u);
    EXPECT_EQ(r->resumed_from, 0u);
    EXPECT_EQ(r->bytes_received, content.size());
    EXPECT_EQ(*read_file(destination()), content);
    EXPECT_FALSE(present(part()));
    EXPECT_FALSE(present(part_meta()));
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].range, "");
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.front().first, 0u);
    EXPECT_EQ(reports.back(),
              std::make_pair(std::uint64_t{content.size()}, std::uint64_t{content.size()}));
}

TEST_F(DownloadTest, ResolvesAHostNameAndChecksTheCertificateAgainstIt) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(70'000);
    server_->put("/fw.bin", content);
    auto d = make_downloader();
    DownloadRequest req{"https://localhost:" + std::to_string(server_->port()) + "/fw.bin",
                        content.size(), destination()};
    auto r = fetch(d, req);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sha256, sha256_of(content));
}

TEST_F(DownloadTest, ResumesAfterADropWithRangeAndIfRange) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(3 * k_mib + 7);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.drop_after = k_mib});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*read_file(destination()), content);
    EXPECT_EQ(r->sha256, sha256_of(content));
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].body_bytes, k_mib);
    EXPECT_EQ(requests[1].range, "bytes=" + std::to_string(k_mib) + "-");
    EXPECT_EQ(requests[1].if_range, "\"v1-" + std::to_string(content.size()) + "\"");
    EXPECT_EQ(requests[1].status, 206u);
    // Resumed, not downloaded twice.
    EXPECT_EQ(server_->body_bytes_sent(), content.size());
    EXPECT_EQ(r->bytes_received, content.size());
    EXPECT_EQ(r->attempts, 2u);
    EXPECT_EQ(r->restarts, 0u);
}

TEST_F(DownloadTest, KeepsGoingWhileEveryConnectionDropsButMakesProgress) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(2 * k_mib);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.drop_after = 300 * 1024, .drop_every_time = true});
    auto s = settings();
    s.max_retries = 1;  // fewer than the drops: progress resets the count
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sha256, sha256_of(content));
    EXPECT_EQ(r->attempts, 7u);
    EXPECT_EQ(server_->body_bytes_sent(), content.size());
}

TEST_F(DownloadTest, ResumesFromThePartFileOfAnEarlierDownloader) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(4 * k_mib);
    server_->put("/fw.bin", content);
    {
        // The first daemon run: shut down (abort, keep) after a quarter of the file.
        auto s = settings();
        s.bandwidth_limit = 8 * k_mib;  // slow enough that the abort lands mid-way
        s.progress_step_percent = 1;
        auto first = make_downloader(s);
        auto r = fetch(first, request("/fw.bin", content.size()), [&](std::uint64_t b, auto) {
            if (b >= k_mib) first.abort(PartialFile::keep);
        });
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, "ota.aborted");
    }
    const auto kept = file_size_or_zero(part());
    ASSERT_GE(kept, k_mib);
    ASSERT_LT(kept, content.size());
    ASSERT_TRUE(present(part_meta()));
    EXPECT_EQ(read_file(part())->substr(0, kept), content.substr(0, kept));

    auto second = make_downloader();
    auto r = fetch(second, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->resumed_from, kept);
    EXPECT_EQ(r->bytes_received, content.size() - kept);
    EXPECT_EQ(r->sha256, sha256_of(content));  // the kept bytes were hashed again
    EXPECT_EQ(*read_file(destination()), content);
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].range, "bytes=" + std::to_string(kept) + "-");
}

TEST_F(DownloadTest, AfterACrashOnlyCommittedBytesAreTrusted) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(2 * k_mib);
    server_->put("/fw.bin", content);
    {
        auto s = settings();
        s.bandwidth_limit = 8 * k_mib;
        s.progress_step_percent = 1;
        auto first = make_downloader(s);
        auto r = fetch(first, request("/fw.bin", content.size()), [&](std::uint64_t b, auto) {
            if (b >= k_mib / 2) first.abort(PartialFile::keep);
        });
        ASSERT_FALSE(r);
    }
    const auto committed = file_size_or_zero(part());
    ASSERT_GT(committed, 0u);
    // A power loss after unsynced writes: the tail past the committed length is garbage.
    {
        auto text = *read_file(part());
        text += std::string(100'000, '\0');
        ASSERT_TRUE(lintel::test::write_file(part(), text, 0600));
    }
    auto second = make_downloader();
    auto r = fetch(second, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->resumed_from, committed);
    EXPECT_EQ(*read_file(destination()), content);
}

TEST_F(DownloadTest, APartFileOfAnotherArtifactIsNotResumed) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(200'000);
    server_->put("/fw.bin", content);
    ASSERT_TRUE(lintel::test::write_file(part(), std::string(50'000, 'z'), 0600));
    ASSERT_TRUE(lintel::test::write_file(
        part_meta(),
        "lintel-ota-part 1\nresource https://127.0.0.1/other.bin\nsize 200000\n"
        "committed 50000\n",
        0600));
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->resumed_from, 0u);
    EXPECT_EQ(*read_file(destination()), content);
    EXPECT_EQ(server_->requests().at(0).range, "");
}

TEST_F(DownloadTest, ServerIgnoringRangeRestartsFromZero) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(2 * k_mib + 1);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.drop_after = k_mib, .ignore_range = true});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*read_file(destination()), content);
    EXPECT_EQ(r->sha256, sha256_of(content));
    EXPECT_EQ(r->restarts, 1u);
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].range, "bytes=" + std::to_string(k_mib) + "-");
    EXPECT_EQ(requests[1].status, 200u);
}

TEST_F(DownloadTest, ChangedFileOnTheServerIsNotStitched) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto old_content = make_content(2 * k_mib, 1);
    const auto new_content = make_content(2 * k_mib, 2);
    server_->put("/fw.bin", old_content);
    server_->set_faults("/fw.bin",
                        FileFaults{.drop_after = k_mib, .change_after_first = new_content});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", new_content.size()));
    ASSERT_TRUE(r) << r.error().message;
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].if_range, "\"v1-" + std::to_string(old_content.size()) + "\"");
    EXPECT_EQ(requests[1].status, 200u);  // If-Range did not match: the whole new file
    EXPECT_EQ(r->restarts, 1u);
    EXPECT_EQ(*read_file(destination()), new_content);
    EXPECT_EQ(r->sha256, sha256_of(new_content));
}

TEST_F(DownloadTest, WrongContentRangeStartsAgainFromZero) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(2 * k_mib);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.drop_after = k_mib, .wrong_content_range = true});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*read_file(destination()), content);
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[1].status, 206u);
    EXPECT_EQ(requests[2].range, "");
    EXPECT_EQ(r->restarts, 1u);
}

TEST_F(DownloadTest, MoreBytesAnnouncedThanExpectedIsRefusedBeforeTheBody) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(500'000);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.extra_bytes = 1000});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.too_large");
    EXPECT_NE(r.error().message.find("501000"), std::string::npos) << r.error().message;
    EXPECT_FALSE(present(destination()));
    EXPECT_LE(file_size_or_zero(part()), content.size());
    EXPECT_EQ(server_->requests().size(), 1u);  // not retried
}

TEST_F(DownloadTest, MoreBytesSentThanExpectedStopsAtTheExpectedSize) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(500'000);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.extra_bytes = 300'000, .announce_extra = false});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.too_large");
    EXPECT_FALSE(present(destination()));
    EXPECT_LE(file_size_or_zero(part()), content.size());
    EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(DownloadTest, WrongBytesGiveAnotherSha256) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    auto content = make_content(300'000);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.corrupt_at = 123'456});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;  // the caller's sha256 check refuses it
    EXPECT_NE(r->sha256, sha256_of(content));
    EXPECT_EQ(r->sha256, sha256_of(*read_file(destination())));
}

TEST_F(DownloadTest, ServerWithAShortFileIsRefused) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(100'000);
    server_->put("/fw.bin", content);
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size() + 1));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_refused");
    EXPECT_NE(r.error().message.find("100000"), std::string::npos) << r.error().message;
    EXPECT_FALSE(present(destination()));
}

TEST_F(DownloadTest, ServerCertificateFromAnotherCaIsRefused) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/fw.bin", make_content(1000));
    auto s = settings();
    s.ca = pki().rogue_ca.cert;
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", 1000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.tls");
    EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("fw.bin?"), std::string::npos);
    EXPECT_TRUE(server_->requests().empty());  // no request ever left the client
    EXPECT_FALSE(present(destination()));
}

TEST_F(DownloadTest, ServerCertificateForAnotherNameIsRefused) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    auto wrong = start_server({pki().wrong_name.cert, pki().wrong_name.key, {}});
    ASSERT_TRUE(wrong);
    wrong->put("/fw.bin", make_content(1000));
    auto d = make_downloader();
    auto r = fetch(d, DownloadRequest{wrong->url("/fw.bin"), 1000, destination()});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.tls");
    EXPECT_TRUE(wrong->requests().empty());
}

TEST_F(DownloadTest, IpV6LiteralConnectsAndIsCheckedAgainstTheCertificateIps) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    // The test server certificate names 127.0.0.1 and localhost, not ::1.
    auto v6 = HttpsFileServer::start({pki().server.cert, pki().server.key, {}, "::1"});
    if (!v6) GTEST_SKIP() << v6.error().message;
    (*v6)->put("/fw.bin", make_content(1000));
    auto d = make_downloader();
    const auto url = (*v6)->url("/fw.bin");
    ASSERT_EQ(url.substr(0, 13), "https://[::1]");
    auto r = fetch(d, DownloadRequest{url, 1000, destination()});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.tls") << r.error().message;
    EXPECT_NE(r.error().message.find("[::1]"), std::string::npos) << r.error().message;
    EXPECT_TRUE((*v6)->requests().empty());
}

TEST_F(DownloadTest, ClientCertificateRequiredAndGiven) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    auto mtls = start_server({pki().server.cert, pki().server.key, pki().ca_cert});
    ASSERT_TRUE(mtls);
    const auto content = make_content(100'000);
    mtls->put("/fw.bin", content);
    auto s = settings();
    s.client_cert = pki().gateway.cert;
    s.client_key = pki().gateway.key;
    auto d = make_downloader(s);
    auto r = fetch(d, DownloadRequest{mtls->url("/fw.bin"), content.size(), destination()});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sha256, sha256_of(content));
    EXPECT_EQ(mtls->failed_handshakes(), 0u);
}

TEST_F(DownloadTest, ClientCertificateRequiredAndMissing) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    auto mtls = start_server({pki().server.cert, pki().server.key, pki().ca_cert});
    ASSERT_TRUE(mtls);
    mtls->put("/fw.bin", make_content(1000));
    auto s = settings();
    s.max_retries = 1;
    auto d = make_downloader(s);
    auto r = fetch(d, DownloadRequest{mtls->url("/fw.bin"), 1000, destination()});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_failed");
    EXPECT_GE(mtls->failed_handshakes(), 1u);
    EXPECT_TRUE(mtls->requests().empty());
}

TEST_F(DownloadTest, ClientKeyReadableByOthersIsRefusedAtCreate) {
    const auto key = dir_.path() / "open.key";
    std::filesystem::copy_file(pki().gateway.key, key);
    std::filesystem::permissions(key, std::filesystem::perms(0644));
    auto s = settings();
    s.client_cert = pki().gateway.cert;
    s.client_key = key;
    auto d = Downloader::create(io_.get_executor(), s);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "ota.tls");
    EXPECT_NE(d.error().message.find("0644"), std::string::npos) << d.error().message;
}

TEST_F(DownloadTest, MissingCaIsRefusedAtCreate) {
    auto s = settings();
    s.ca.clear();
    auto d = Downloader::create(io_.get_executor(), s);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, "ota.tls");
}

TEST_F(DownloadTest, NotFoundIsNotRetriedAndTheQueryStaysSecret) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    auto d = make_downloader();
    auto r = fetch(d, request("/missing.bin?token=s3cr3t", 1000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_refused");
    EXPECT_NE(r.error().message.find("404"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("/missing.bin"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
    EXPECT_EQ(server_->requests().size(), 1u);
    EXPECT_EQ(server_->requests()[0].target, "/missing.bin?token=s3cr3t");
}

TEST_F(DownloadTest, ServerErrorsAreRetried) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(10'000);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.status = 500, .status_times = 2});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->attempts, 3u);
    EXPECT_EQ(*read_file(destination()), content);
}

TEST_F(DownloadTest, ServerErrorsGiveUpAfterTheRetryLimit) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/fw.bin", make_content(10'000));
    server_->set_faults("/fw.bin", FileFaults{.status = 503});
    auto s = settings();
    s.max_retries = 2;
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", 10'000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_failed");
    EXPECT_NE(r.error().message.find("503"), std::string::npos);
    EXPECT_EQ(server_->requests().size(), 3u);
}

TEST_F(DownloadTest, RedirectsAreRefused) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    server_->put("/fw.bin", make_content(1000));
    server_->set_faults("/fw.bin", FileFaults{.status = 302});
    auto d = make_downloader();
    auto r = fetch(d, request("/fw.bin", 1000));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_refused");
    EXPECT_NE(r.error().message.find("redirect"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos) << r.error().message;
    EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(DownloadTest, AStalledServerTimesOut) {
    TestWatchdog dog(30s, [&] { io_.stop(); });
    const auto content = make_content(500'000);
    server_->put("/fw.bin", content);
    server_->set_faults("/fw.bin", FileFaults{.stall_at = 100'000});
    auto s = settings();
    s.timeout = 300ms;
    s.max_retries = 1;
    auto d = make_downloader(s);
    auto r = fetch(d, request("/fw.bin", content.size()));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "ota.download_failed");
    EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().message;
    // The first attempt made progress (the count starts again); the second and the third stall
    // at once: two failures in a row without progress pass the limit of 1.
    EXPECT_EQ(server_->requests().size(), 3u);
    EXPECT_EQ(file_size_or_zero(part()), 100'000u);  // kept for a later resume
}

TEST_F(DownloadTest, BadUrlsAreRefusedWithoutConnecting) {
    auto d = make_downloader();
    for (const std::string url : {"http://127.0.0.1/fw.bin", "https://user:pw@127.0.0.1/fw.bin",
                                  "https:///fw.bin", "https://127.0.0.1:0/x"}) {
        auto r = fetch(d, DownloadRequest{url, 10, destination()});
        ASSERT_FALSE(r) << url;
        EXPECT_EQ(r.error().code, "ota.download_refused") << url;
        EXPECT_EQ(r.error().message.find("pw@"), std::string::npos);
    }
    auto zero = fetch(d, request("/fw.bin", 0));
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("expected size is 0"), std::string::npos);
    EXPECT_TRUE(server_->requests().empty());
}

}  // namespace
}  // namespace lintel::ota::test
