// Shared fixture of the download tests: the test PKI, a faulty HTTPS file server, a loop to run
// Downloader::fetch on, and helpers for content and hashes.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "lintel/asio.hpp"
#include "ota/download.hpp"
#include "support/https_file_server.hpp"
#include "support/pki.hpp"
#include "support/wait.hpp"

namespace lintel::ota::test {

using namespace std::chrono_literals;
using lintel::test::FileFaults;
using lintel::test::HttpsFileServer;
using lintel::test::TempDir;

constexpr std::uint64_t k_mib = 1024 * 1024;

// Bytes that differ at every offset (so a shifted or stitched file never matches by chance).
std::string make_content(std::size_t size, std::uint32_t seed = 1);
// sha256 through OpenSSL directly, not through the code under test.
std::string sha256_of(const std::string& bytes);
bool present(const std::filesystem::path& path);
std::uint64_t file_size_or_zero(const std::filesystem::path& path);

class DownloadTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    static const lintel::test::Pki& pki() { return *pki_; }

    void SetUp() override;

    // CA from the test PKI, short timeouts and backoff, progress not rate-limited in time.
    DownloadSettings settings() const;
    Downloader make_downloader(DownloadSettings s);
    Downloader make_downloader() { return make_downloader(settings()); }
    // Starts an HTTPS server with other options (wrong cert, client cert required).
    std::unique_ptr<HttpsFileServer> start_server(HttpsFileServer::Options options) const;

    DownloadRequest request(const std::string& path, std::uint64_t size) const;
    // Runs fetch() on io_ until it completes (or `timeout`: then the test fails).
    Expected<DownloadResult> fetch(Downloader& d, const DownloadRequest& r,
                                   ProgressHandler progress = {},
                                   std::chrono::milliseconds timeout = 20s);

    std::filesystem::path destination() const { return dir_.path() / "artifact.bin"; }
    std::filesystem::path part() const { return dir_.path() / "artifact.bin.part"; }
    std::filesystem::path part_meta() const { return dir_.path() / "artifact.bin.part.meta"; }

    asio::io_context io_;
    TempDir dir_{"lintel-ota-download"};
    std::unique_ptr<HttpsFileServer> server_;
    // When the last fetch() completed (for abort latency).
    std::chrono::steady_clock::time_point finished_at_{};

private:
    static std::optional<TempDir> pki_dir_;
    static std::optional<lintel::test::Pki> pki_;
};

}  // namespace lintel::ota::test
