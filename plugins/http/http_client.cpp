// Beast + OpenSSL adapter behind http_client.hpp: plain or TLS connection, one request, the
// whole response under one deadline.
#include "http_client.hpp"

#include <openssl/evp.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <list>

#include "net/tls_client.hpp"

namespace lintel::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

constexpr auto k_use = asio::use_awaitable;

std::string describe(const error_code& ec) {
    if (ec == beast::error::timeout) return "timed out";
    return ec.message();
}

std::unexpected<Error> transport_error(const error_code& ec, const std::string& what) {
    return make_error(ec == beast::error::timeout ? "http.timeout" : "http.connect",
                      what + ": " + describe(ec));
}

bhttp::verb verb_of(Method m) {
    switch (m) {
        case Method::post:
            return bhttp::verb::post;
        case Method::put:
            return bhttp::verb::put;
        case Method::get:
            break;
    }
    return bhttp::verb::get;
}

// One connection: the TCP stream, and the TLS stream over it for https.
struct Connection {
    Connection(asio::any_io_executor ex, ssl::context* ctx) : tcp(ex) {
        if (ctx != nullptr) tls.emplace(std::ref(tcp), *ctx);
    }
    beast::tcp_stream tcp;
    std::optional<ssl::stream<beast::tcp_stream&>> tls;
};

template <typename Stream>
asio::awaitable<Expected<HttpResponse>> exchange(Stream& stream, const HttpRequest& request,
                                                 const std::string& peer) {
    bhttp::request<bhttp::string_body> req{verb_of(request.method), request.url.target, 11};
    req.set(bhttp::field::host, request.url.host_header());
    req.set(bhttp::field::user_agent, "lintel");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : request.headers) req.set(name, value);
    if (!request.authorization.empty()) req.set(bhttp::field::authorization, request.authorization);
    if (request.method != Method::get) {
        req.body() = request.body;
        req.prepare_payload();
    }
    error_code ec;
    co_await bhttp::async_write(stream, req, asio::redirect_error(k_use, ec));
    if (ec) co_return transport_error(ec, "sending the request to " + peer + " failed");

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(k_max_body);
    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(k_use, ec));
    if (ec == bhttp::error::body_limit) {
        co_return make_error("http.protocol",
                             peer + " sent a body over " + std::to_string(k_max_body) + " bytes");
    }
    if (ec == beast::error::timeout) co_return transport_error(ec, "no answer from " + peer);
    if (ec) {
        co_return make_error("http.protocol",
                             "no valid HTTP response from " + peer + ": " + describe(ec));
    }
    co_return HttpResponse{parser.get().result_int(), std::move(parser.get().body())};
}

}  // namespace

struct HttpClient::Impl {
    asio::any_io_executor executor;
    std::optional<ssl::context> ctx;
    bool verify = true;
    std::list<std::weak_ptr<Connection>> open;  // for cancel()
};

HttpClient::HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() { cancel(); }

Expected<std::shared_ptr<HttpClient>> HttpClient::create(asio::any_io_executor executor,
                                                         const TlsConfig& tls) {
    auto impl = std::make_shared<Impl>();
    impl->executor = std::move(executor);
    if (!tls.ca_file.empty() || tls.insecure || !tls.cert_file.empty()) {
        impl->ctx.emplace(ssl::context::tls_client);
        auto configured = net::configure_tls_client(
            *impl->ctx, net::TlsClientFiles{tls.ca_file, tls.cert_file, tls.key_file},
            !tls.insecure);
        if (!configured) return std::unexpected(configured.error());
        impl->verify = !tls.insecure;
    }
    return std::shared_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

asio::awaitable<Expected<HttpResponse>> HttpClient::send(const HttpRequest& request,
                                                         std::chrono::milliseconds timeout) {
    const std::string peer = request.url.redacted();
    if (request.url.tls && !impl_->ctx)
        co_return make_error("http.tls", "no TLS settings for " + peer);
    auto conn =
        std::make_shared<Connection>(impl_->executor, request.url.tls ? &*impl_->ctx : nullptr);
    impl_->open.remove_if([](const std::weak_ptr<Connection>& w) { return w.expired(); });
    impl_->open.push_back(conn);

    // One deadline for the whole exchange: every operation below shares what is left of it.
    conn->tcp.expires_after(timeout);
    asio::ip::tcp::resolver resolver(impl_->executor);
    error_code ec;
    auto endpoints = co_await resolver.async_resolve(
        request.url.host, std::to_string(request.url.port), asio::redirect_error(k_use, ec));
    if (ec)
        co_return make_error("http.connect",
                             "cannot resolve " + request.url.host + ": " + describe(ec));
    co_await conn->tcp.async_connect(endpoints, asio::redirect_error(k_use, ec));
    if (ec) co_return transport_error(ec, "cannot connect to " + peer);
    if (!conn->tls) co_return co_await exchange(conn->tcp, request, peer);

    if (impl_->verify) {
        auto expected =
            net::expect_peer(conn->tls->native_handle(), request.url.host, request.url.host_is_ip);
        if (!expected) co_return std::unexpected(expected.error());
    }
    co_await conn->tls->async_handshake(ssl::stream_base::client, asio::redirect_error(k_use, ec));
    if (ec) {
        if (auto why = net::verify_failure(conn->tls->native_handle()); !why.empty())
            co_return make_error("http.tls",
                                 "the certificate of " + peer + " is not trusted: " + why);
        co_return transport_error(ec, "TLS handshake with " + peer + " failed");
    }
    auto result = co_await exchange(*conn->tls, request, peer);
    // A peer that closes without close_notify is common on devices; the body was complete.
    conn->tcp.close();
    co_return result;
}

void HttpClient::cancel() {
    for (auto& weak : impl_->open) {
        if (auto conn = weak.lock()) conn->tcp.close();
    }
    impl_->open.clear();
}

std::string basic_authorization(const std::string& username, const std::string& password) {
    const std::string plain = username + ":" + password;
    std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()),
                                  static_cast<int>(plain.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

}  // namespace lintel::http
