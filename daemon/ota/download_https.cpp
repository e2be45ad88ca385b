// Beast + OpenSSL adapter behind download_https.hpp: TLS policy, connect, GET, streamed body.
#include "ota/download_https.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>

#include "net/tls_client.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::ota {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

constexpr auto k_use = asio::use_awaitable;
constexpr std::uint32_t k_header_limit = 16 * 1024;

std::unexpected<Error> tls_error(std::string message) {
    return make_error(std::string(reason::tls), std::move(message));
}

std::unexpected<Error> failed(std::string message) {
    return make_error(std::string(reason::download_failed), std::move(message));
}

std::string describe(const error_code& ec) {
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
}

}  // namespace

struct HttpsClientContext::Impl {
    ssl::context ctx{ssl::context::tls_client};
};

HttpsClientContext::HttpsClientContext() : impl_(std::make_unique<Impl>()) {}
HttpsClientContext::~HttpsClientContext() = default;

Expected<std::shared_ptr<HttpsClientContext>> HttpsClientContext::create(const TlsFiles& files) {
    if (files.ca.empty())
        return tls_error("no CA file is set (ota.download.ca): refusing to download");
    if (files.client_cert.empty() != files.client_key.empty())
        return tls_error("ota.download.client_cert and ota.download.client_key go together");
    std::shared_ptr<HttpsClientContext> self(new HttpsClientContext());
    auto configured = net::configure_tls_client(
        self->impl_->ctx, net::TlsClientFiles{files.ca, files.client_cert, files.client_key});
    if (!configured) return tls_error(configured.error().message);
    return self;
}

struct HttpsExchange::Impl : std::enable_shared_from_this<Impl> {
    using Clock = std::chrono::steady_clock;

    Impl(asio::any_io_executor executor, std::shared_ptr<HttpsClientContext> ctx)
        : context(std::move(ctx)),
          resolver(executor),
          stream(executor, context->impl_->ctx),
          idle_timer(executor) {}

    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }

    // The body's idle limit. tcp_stream's own timeout arms and cancels a timer around every
    // read (two timerfd calls per 16 KiB TLS record); this one timer only wakes up once per
    // `limit` and closes the connection when no byte came for that long.
    void watch_idle(std::chrono::milliseconds limit) {
        idle_limit = limit;
        last_activity = Clock::now();
        if (watching) return;
        watching = true;
        arm_idle(last_activity + idle_limit);
    }

    void arm_idle(Clock::time_point at) {
        idle_timer.expires_at(at);
        idle_timer.async_wait([weak = weak_from_this()](const error_code& ec) {
            auto self = weak.lock();
            if (ec || !self) return;
            // Only a pending read counts: the downloader may pause on purpose (bandwidth limit).
            const auto now = Clock::now();
            if (!self->reading) {
                self->arm_idle(now + self->idle_limit);
                return;
            }
            const auto quiet_until = self->last_activity + self->idle_limit;
            if (now >= quiet_until) {
                self->idle_expired = true;
                self->watching = false;
                self->tcp().close();
                return;
            }
            self->arm_idle(quiet_until);
        });
    }

    std::shared_ptr<HttpsClientContext> context;
    asio::ip::tcp::resolver resolver;
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::buffer_body>> parser;
    std::string peer;  // "host:port" for messages
    std::uint64_t body_bytes = 0;
    asio::steady_timer idle_timer;
    std::chrono::milliseconds idle_limit{0};
    Clock::time_point last_activity{};
    bool watching = false;
    bool reading = false;
    bool idle_expired = false;
};

HttpsExchange::HttpsExchange(asio::any_io_executor executor,
                             std::shared_ptr<HttpsClientContext> context)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(context))) {}

HttpsExchange::~HttpsExchange() = default;

asio::awaitable<Expected<void>> HttpsExchange::connect(const HttpsUrl& url,
                                                       std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    s.peer = url.host_header();
    if (url.port == 443) s.peer += ":443";
    error_code ec;
    auto endpoints = co_await s.resolver.async_resolve(url.host, std::to_string(url.port),
                                                       asio::redirect_error(k_use, ec));
    if (ec) co_return failed("cannot resolve " + url.host + ": " + describe(ec));
    s.tcp().expires_after(timeout);
    co_await s.tcp().async_connect(endpoints, asio::redirect_error(k_use, ec));
    if (ec) co_return failed("cannot connect to " + s.peer + ": " + describe(ec));

    if (auto peer = net::expect_peer(s.stream.native_handle(), url.host, url.host_is_ip); !peer)
        co_return failed(peer.error().message);
    s.tcp().expires_after(timeout);
    co_await s.stream.async_handshake(ssl::stream_base::client, asio::redirect_error(k_use, ec));
    if (ec) {
        if (auto why = net::verify_failure(s.stream.native_handle()); !why.empty())
            co_return tls_error("the certificate of " + s.peer + " is not trusted: " + why);
        co_return failed("TLS handshake with " + s.peer + " failed: " + describe(ec));
    }
    co_return Expected<void>{};
}

asio::awaitable<Expected<HttpsResponseHead>> HttpsExchange::send(
    const HttpsRequest& request, std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    http::request<http::empty_body> req{http::verb::get, request.target, 11};
    req.set(http::field::host, request.host_header);
    req.set(http::field::user_agent, request.user_agent);
    req.set(http::field::accept_encoding, "identity");  // sizes and ranges are of the raw bytes
    req.set(http::field::connection, "close");
    if (!request.range.empty()) req.set(http::field::range, request.range);
    if (!request.if_range.empty()) req.set(http::field::if_range, request.if_range);
    error_code ec;
    s.tcp().expires_after(timeout);
    co_await http::async_write(s.stream, req, asio::redirect_error(k_use, ec));
    if (ec) co_return failed("sending the request to " + s.peer + " failed: " + describe(ec));

    s.parser.emplace();
    s.parser->header_limit(k_header_limit);
    // The downloader enforces the expected size itself. Not boost::none: Beast 1.74 compares a
    // Content-Length against the optional and "len > none" is always true (body limit exceeded).
    s.parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    s.tcp().expires_after(timeout);
    co_await http::async_read_header(s.stream, s.buffer, *s.parser,
                                     asio::redirect_error(k_use, ec));
    if (ec) co_return failed("no valid response header from " + s.peer + ": " + describe(ec));
    const auto& res = s.parser->get();
    HttpsResponseHead head;
    head.status = res.result_int();
    if (auto length = s.parser->content_length()) head.content_length = *length;
    head.content_range = std::string(res[http::field::content_range]);
    head.etag = std::string(res[http::field::etag]);
    head.last_modified = std::string(res[http::field::last_modified]);
    head.redirect_has_location = res.find(http::field::location) != res.end();
    co_return head;
}

asio::awaitable<Expected<std::size_t>> HttpsExchange::read_body(char* data, std::size_t size,
                                                                std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    if (!s.parser) co_return failed("internal: read_body before send");
    s.tcp().expires_never();
    s.watch_idle(timeout);
    for (;;) {
        if (s.parser->is_done()) co_return std::size_t{0};
        auto& body = s.parser->get().body();
        body.data = data;
        body.size = size;
        error_code ec;
        s.reading = true;
        co_await http::async_read_some(s.stream, s.buffer, *s.parser,
                                       asio::redirect_error(k_use, ec));
        s.reading = false;
        const std::size_t got = size - body.size;
        if (ec == http::error::need_buffer) ec = {};
        s.body_bytes += got;
        if (got > 0) s.last_activity = Impl::Clock::now();
        if (got > 0 && !ec) co_return got;
        if (ec) {
            // The bytes that did arrive are good; the caller keeps them and resumes.
            if (got > 0) co_return got;
            const std::string where = " after " + std::to_string(s.body_bytes) + " body bytes";
            if (s.idle_expired) {
                co_return failed("no data from " + s.peer + " for " +
                                 std::to_string(timeout.count()) + " ms" + where + ": timed out");
            }
            if (ec == asio::error::eof || ec == ssl::error::stream_truncated ||
                ec == http::error::partial_message) {
                co_return failed("the connection to " + s.peer + " ended" + where);
            }
            co_return failed("reading from " + s.peer + " failed" + where + ": " + describe(ec));
        }
    }
}

void HttpsExchange::cancel() {
    impl_->resolver.cancel();
    impl_->idle_timer.cancel();
    impl_->tcp().close();
}

}  // namespace lintel::ota
