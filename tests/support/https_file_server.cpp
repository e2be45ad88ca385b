// HttpsFileServer: Beast over asio coroutines on one thread of its own (see the header).
// In-process rather than a separate executable: a test sets faults and reads the request log
// through plain calls, with no protocol between them and no process to reap.
#include "support/https_file_server.hpp"

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <mutex>
#include <thread>

namespace lintel::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;

constexpr auto k_use = asio::use_awaitable;
constexpr std::size_t k_piece = 64 * 1024;
constexpr auto k_io_timeout = std::chrono::seconds(10);

struct ServedFile {
    std::shared_ptr<const std::string> content;
    std::string etag;
    std::string last_modified;
    FileFaults faults;
    unsigned responses = 0;
    unsigned version = 0;
};

// What one response sends, decided under the lock and then written without it.
struct Plan {
    unsigned status = 200;
    std::shared_ptr<const std::string> content;
    std::uint64_t first = 0;  // file offset of the first body byte
    std::uint64_t extra = 0;
    bool content_length = true;
    std::string content_range;
    std::string etag;
    std::string last_modified;
    std::optional<std::uint64_t> drop_after;
    std::optional<std::uint64_t> stall_at;
    std::optional<std::uint64_t> corrupt_at;
    std::size_t record = 0;  // index into the request log
};

std::optional<std::uint64_t> parse_open_range(std::string_view value) {
    constexpr std::string_view prefix = "bytes=";
    if (value.substr(0, prefix.size()) != prefix || value.size() < prefix.size() + 2 ||
        value.back() != '-')
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : value.substr(prefix.size(), value.size() - prefix.size() - 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

}  // namespace

struct HttpsFileServer::Impl {
    // Declaration order is destruction order reversed: the io_context destroys the suspended
    // connections (their streams) after the acceptor and before the TLS context.
    ssl::context ctx{ssl::context::tls_server};
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::uint16_t port = 0;
    std::string url_host;
    std::thread thread;

    mutable std::mutex mutex;
    std::map<std::string, ServedFile> files;
    std::vector<RecordedRequest> log;
    std::uint64_t body_bytes = 0;
    unsigned failed_handshakes = 0;

    void bump(ServedFile& file, std::string content) {
        ++file.version;
        file.content = std::make_shared<const std::string>(std::move(content));
        file.etag = "\"v" + std::to_string(file.version) + "-" +
                    std::to_string(file.content->size()) + "\"";
        // A different second per version: enough for Last-Modified to tell versions apart.
        file.last_modified = "Wed, 21 Oct 2015 07:28:" + std::string(file.version < 10 ? "0" : "") +
                             std::to_string(file.version % 60) + " GMT";
    }

    Plan plan(const http::request<http::empty_body>& req) {
        std::lock_guard lock(mutex);
        Plan p;
        RecordedRequest rec;
        rec.target = std::string(req.target());
        rec.range = std::string(req[http::field::range]);
        rec.if_range = std::string(req[http::field::if_range]);
        p.record = log.size();
        auto it = files.find(rec.target);
        if (req.method() != http::verb::get || it == files.end() || !it->second.content) {
            p.status = req.method() != http::verb::get ? 405 : 404;
            rec.status = p.status;
            log.push_back(rec);
            return p;
        }
        ServedFile& file = it->second;
        const FileFaults& f = file.faults;
        const unsigned n = file.responses++;
        if (f.status != 0 && (f.status_times == 0 || n < f.status_times)) {
            p.status = f.status;
            rec.status = p.status;
            log.push_back(rec);
            return p;
        }
        p.content = file.content;
        const auto size = static_cast<std::uint64_t>(p.content->size());
        if (f.validators) {
            p.etag = file.etag;
            p.last_modified = file.last_modified;
        }
        const auto range = parse_open_range(rec.range);
        const bool validator_ok =
            rec.if_range.empty() || rec.if_range == file.etag || rec.if_range == file.last_modified;
        if (range && *range < size && validator_ok && !f.ignore_range) {
            p.status = 206;
            p.first = *range + (f.wrong_content_range ? 1 : 0);
            p.first = std::min(p.first, size - 1);
            p.content_range = "bytes " + std::to_string(p.first) + "-" + std::to_string(size - 1) +
                              "/" + std::to_string(size);
        } else if (range && *range >= size && validator_ok && !f.ignore_range) {
            p.status = 416;
            p.content.reset();
        }
        if (p.status != 416) {
            p.extra = f.extra_bytes;
            p.content_length = f.extra_bytes == 0 || f.announce_extra;
            if (f.drop_after && (f.drop_every_time || n == 0)) p.drop_after = f.drop_after;
            p.stall_at = f.stall_at;
            p.corrupt_at = f.corrupt_at;
        }
        if (f.change_after_first && n == 0) bump(file, *f.change_after_first);
        rec.status = p.status;
        log.push_back(rec);
        return p;
    }

    void count(const Plan& p, std::uint64_t n) {
        std::lock_guard lock(mutex);
        log[p.record].body_bytes += n;
        body_bytes += n;
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), ctx);
        auto& tcp_layer = beast::get_lowest_layer(stream);
        error_code ec;
        tcp_layer.expires_after(k_io_timeout);
        co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(k_use, ec));
        if (ec) {
            std::lock_guard lock(mutex);
            ++failed_handshakes;
            co_return;
        }
        beast::flat_buffer buffer;
        http::request<http::empty_body> req;
        tcp_layer.expires_after(k_io_timeout);
        co_await http::async_read(stream, buffer, req, asio::redirect_error(k_use, ec));
        if (ec) co_return;
        const Plan p = plan(req);

        http::response<http::empty_body> res{static_cast<http::status>(p.status), 11};
        res.set(http::field::server, "lintel-test-https-file-server");
        res.set(http::field::connection, "close");
        std::uint64_t body = 0;
        if (p.content) {
            const auto size = static_cast<std::uint64_t>(p.content->size());
            body = size - p.first + p.extra;
            res.set(http::field::accept_ranges, "bytes");
            if (!p.etag.empty()) res.set(http::field::etag, p.etag);
            if (!p.last_modified.empty()) res.set(http::field::last_modified, p.last_modified);
            if (!p.content_range.empty()) res.set(http::field::content_range, p.content_range);
            if (p.content_length) res.content_length(body);
        } else {
            if (p.status >= 300 && p.status < 400)
                res.set(http::field::location, "https://elsewhere.example/artifact?token=secret");
            res.content_length(0);
        }
        http::response_serializer<http::empty_body> serializer(res);
        tcp_layer.expires_after(k_io_timeout);
        co_await http::async_write_header(stream, serializer, asio::redirect_error(k_use, ec));
        if (ec) co_return;

        std::string piece;
        std::uint64_t sent = 0;
        while (sent < body) {
            std::uint64_t n = std::min<std::uint64_t>(k_piece, body - sent);
            if (p.drop_after) n = std::min(n, *p.drop_after - std::min(*p.drop_after, sent));
            if (p.stall_at) n = std::min(n, *p.stall_at - std::min(*p.stall_at, p.first + sent));
            if (n == 0) break;
            const auto size = static_cast<std::uint64_t>(p.content->size());
            piece.clear();
            const std::uint64_t at = p.first + sent;  // file offset
            if (at < size) {
                const auto from_file = std::min(n, size - at);
                piece.append(*p.content, static_cast<std::size_t>(at),
                             static_cast<std::size_t>(from_file));
                if (p.corrupt_at && *p.corrupt_at >= at && *p.corrupt_at < at + from_file)
                    piece[static_cast<std::size_t>(*p.corrupt_at - at)] ^= 0x5a;
            }
            piece.resize(static_cast<std::size_t>(n), 'X');  // the extra bytes past the end
            tcp_layer.expires_after(k_io_timeout);
            co_await asio::async_write(stream, asio::buffer(piece),
                                       asio::redirect_error(k_use, ec));
            if (ec) co_return;
            sent += n;
            count(p, n);
        }
        if (p.drop_after && sent >= *p.drop_after && sent < body) {
            tcp_layer.close();  // a drop: no TLS close_notify, no FIN courtesy
            co_return;
        }
        if (p.stall_at && p.first + sent >= *p.stall_at && sent < body) {
            // Silence until the client gives up (its read ends) or the server stops.
            tcp_layer.expires_never();
            char sink[256];
            co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(k_use, ec));
            co_return;
        }
        tcp_layer.expires_after(std::chrono::seconds(1));
        co_await stream.async_shutdown(asio::redirect_error(k_use, ec));
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            error_code ec;
            tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(k_use, ec));
            if (ec == asio::error::operation_aborted) co_return;
            if (ec) continue;
            asio::co_spawn(io, serve(std::move(socket)), asio::detached);
        }
    }
};

HttpsFileServer::HttpsFileServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsFileServer::~HttpsFileServer() {
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

Expected<std::unique_ptr<HttpsFileServer>> HttpsFileServer::start(const Options& options) {
    auto impl = std::make_unique<Impl>();
    error_code ec;
    impl->ctx.use_certificate_chain_file(options.cert.string(), ec);
    if (!ec) impl->ctx.use_private_key_file(options.key.string(), ssl::context::pem, ec);
    if (ec)
        return make_error("test.https_server", "cannot load the server cert/key: " + ec.message());
    if (!options.client_ca.empty()) {
        impl->ctx.load_verify_file(options.client_ca.string(), ec);
        if (ec)
            return make_error("test.https_server", "cannot load the client CA: " + ec.message());
        impl->ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    const auto address = asio::ip::make_address(options.address, ec);
    if (ec) return make_error("test.https_server", "bad address " + options.address);
    impl->url_host = address.is_v6() ? "[" + options.address + "]" : options.address;
    const tcp::endpoint endpoint(address, 0);
    impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl->acceptor.bind(endpoint, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return make_error("test.https_server",
                          "cannot listen on " + options.address + ": " + ec.message());
    impl->port = impl->acceptor.local_endpoint().port();
    Impl* raw = impl.get();
    asio::co_spawn(raw->io, raw->accept_loop(), asio::detached);
    raw->thread = std::thread([raw] { raw->io.run(); });
    return std::unique_ptr<HttpsFileServer>(new HttpsFileServer(std::move(impl)));
}

std::uint16_t HttpsFileServer::port() const { return impl_->port; }

std::string HttpsFileServer::url(std::string_view path) const {
    return "https://" + impl_->url_host + ":" + std::to_string(port()) + std::string(path);
}

void HttpsFileServer::put(const std::string& path, std::string content) {
    std::lock_guard lock(impl_->mutex);
    impl_->bump(impl_->files[path], std::move(content));
}

void HttpsFileServer::set_faults(const std::string& path, FileFaults faults) {
    std::lock_guard lock(impl_->mutex);
    impl_->files[path].faults = std::move(faults);
}

std::vector<RecordedRequest> HttpsFileServer::requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->log;
}

std::uint64_t HttpsFileServer::body_bytes_sent() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->body_bytes;
}

unsigned HttpsFileServer::failed_handshakes() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->failed_handshakes;
}

}  // namespace lintel::test
