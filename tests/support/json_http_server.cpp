// JsonHttpServer: Beast over asio coroutines on a thread of its own (see the header).
#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include "support/json_http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace lintel::test {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto k_use = asio::use_awaitable;

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

struct JsonHttpServer::Impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::optional<ssl::context> ctx;
    std::thread thread;
    std::uint16_t port = 0;

    mutable std::mutex mutex;
    std::map<std::string, JsonReply, std::less<>> replies;
    std::vector<ServedRequest> requests;

    JsonReply reply_for(const bhttp::request<bhttp::string_body>& req) {
        ServedRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        r.authorization = std::string(req[bhttp::field::authorization]);
        r.content_type = std::string(req[bhttp::field::content_type]);
        r.body = req.body();
        std::lock_guard lock(mutex);
        requests.push_back(r);
        auto it = replies.find(path_of(r.target));
        if (it == replies.end()) return JsonReply{404, "{\"error\":\"no such path\"}", {}};
        return it->second;
    }

    template <typename Stream>
    asio::awaitable<void> answer(Stream& stream) {
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        error_code ec;
        co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(k_use, ec));
        if (ec) co_return;
        const JsonReply reply = reply_for(req);
        if (reply.delay.count() > 0) {
            asio::steady_timer timer(io, reply.delay);
            co_await timer.async_wait(asio::redirect_error(k_use, ec));
        }
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
        res.set(bhttp::field::content_type, "application/json");
        res.set(bhttp::field::connection, "close");
        res.body() = reply.body;
        res.prepare_payload();
        co_await bhttp::async_write(stream, res, asio::redirect_error(k_use, ec));
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        if (!ctx) {
            co_await answer(socket);
            error_code ec;
            socket.shutdown(tcp::socket::shutdown_both, ec);
            co_return;
        }
        ssl::stream<tcp::socket> stream(std::move(socket), *ctx);
        error_code ec;
        co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(k_use, ec));
        if (ec) co_return;
        co_await answer(stream);
        stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(k_use, ec));
            if (ec) co_return;
            asio::co_spawn(io, serve(std::move(socket)), asio::detached);
        }
    }
};

JsonHttpServer::JsonHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

JsonHttpServer::~JsonHttpServer() {
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

Expected<std::unique_ptr<JsonHttpServer>> JsonHttpServer::start(const Options& options) {
    auto impl = std::make_unique<Impl>();
    error_code ec;
    if (!options.cert.empty()) {
        impl->ctx.emplace(ssl::context::tls_server);
        impl->ctx->use_certificate_chain_file(options.cert.string(), ec);
        if (!ec) impl->ctx->use_private_key_file(options.key.string(), ssl::context::pem, ec);
        if (ec) return make_error("test.json_http_server", "TLS files: " + ec.message());
    }
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl->acceptor.bind(endpoint, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error("test.json_http_server", "listen: " + ec.message());
    impl->port = impl->acceptor.local_endpoint().port();
    Impl* raw = impl.get();
    asio::co_spawn(raw->io, raw->accept_loop(), asio::detached);
    raw->thread = std::thread([raw] { raw->io.run(); });
    return std::unique_ptr<JsonHttpServer>(new JsonHttpServer(std::move(impl)));
}

std::uint16_t JsonHttpServer::port() const { return impl_->port; }

std::string JsonHttpServer::url(std::string_view path) const {
    return std::string(impl_->ctx ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void JsonHttpServer::set(const std::string& path, JsonReply reply) {
    std::lock_guard lock(impl_->mutex);
    impl_->replies[path] = std::move(reply);
}

std::vector<ServedRequest> JsonHttpServer::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

std::size_t JsonHttpServer::count(std::string_view path) const {
    std::lock_guard lock(impl_->mutex);
    std::size_t n = 0;
    for (const auto& r : impl_->requests) {
        if (path_of(r.target) == path) ++n;
    }
    return n;
}

}  // namespace lintel::test
