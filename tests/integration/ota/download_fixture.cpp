// The download tests' fixture (see download_fixture.hpp).
#include "download_fixture.hpp"

#include <openssl/evp.h>

#include <array>
#include <boost/asio/co_spawn.hpp>

#include "support/asio_run.hpp"

namespace lintel::ota::test {

std::optional<TempDir> DownloadTest::pki_dir_;
std::optional<lintel::test::Pki> DownloadTest::pki_;

std::string make_content(std::size_t size, std::uint32_t seed) {
    std::string out(size, '\0');
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

std::string sha256_of(const std::string& bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned i = 0; i < size; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", digest[i]);
        hex += buf;
    }
    return hex;
}

bool present(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

std::uint64_t file_size_or_zero(const std::filesystem::path& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

void DownloadTest::SetUpTestSuite() {
    pki_dir_.emplace("lintel-ota-pki");
    auto generated = lintel::test::Pki::generate(pki_dir_->path() / "pki", "gw-ota");
    ASSERT_TRUE(generated) << generated.error().message;
    pki_ = *generated;
}

void DownloadTest::TearDownTestSuite() {
    pki_.reset();
    pki_dir_.reset();
}

void DownloadTest::SetUp() {
    ASSERT_TRUE(pki_) << "the test PKI was not generated";
    server_ = start_server({pki().server.cert, pki().server.key, {}});
}

std::unique_ptr<HttpsFileServer> DownloadTest::start_server(
    HttpsFileServer::Options options) const {
    auto server = HttpsFileServer::start(options);
    EXPECT_TRUE(server) << server.error().message;
    return server ? std::move(*server) : nullptr;
}

DownloadSettings DownloadTest::settings() const {
    DownloadSettings s;
    s.ca = pki().ca_cert;
    s.timeout = 5s;
    s.retry_initial = 10ms;
    s.retry_max = 50ms;
    s.space_margin = 0;
    s.progress_min_interval = 0ms;
    return s;
}

Downloader DownloadTest::make_downloader(DownloadSettings s) {
    auto d = Downloader::create(io_.get_executor(), std::move(s));
    if (!d) {
        ADD_FAILURE() << d.error().code << ": " << d.error().message;
        std::abort();
    }
    return std::move(*d);
}

DownloadRequest DownloadTest::request(const std::string& path, std::uint64_t size) const {
    return DownloadRequest{server_->url(path), size, destination()};
}

Expected<DownloadResult> DownloadTest::fetch(Downloader& d, const DownloadRequest& r,
                                             ProgressHandler progress,
                                             std::chrono::milliseconds timeout) {
    std::optional<Expected<DownloadResult>> out;
    asio::co_spawn(io_, d.fetch(r, std::move(progress)),
                   [&](std::exception_ptr e, Expected<DownloadResult> result) {
                       finished_at_ = std::chrono::steady_clock::now();
                       if (e) {
                           out = make_error("test.exception", "fetch threw");
                           return;
                       }
                       out = std::move(result);
                   });
    if (!lintel::test::run_until(
            io_, [&] { return out.has_value(); }, timeout)) {
        ADD_FAILURE() << "fetch did not complete within " << timeout.count() << " ms";
        return make_error("test.timeout", "fetch did not complete");
    }
    return std::move(*out);
}

}  // namespace lintel::ota::test
