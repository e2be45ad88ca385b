// One HTTP(S) request per connection for the http driver: our own types only; Beast and OpenSSL
// stay in http_client.cpp.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "config.hpp"
#include "lintel/error.hpp"

namespace lintel::http {

struct HttpRequest {
    Method method = Method::get;
    net::HttpUrl url;
    Headers headers;
    std::string body;
    std::string authorization;  // full header value ("Basic ..."); never logged
};

struct HttpResponse {
    unsigned status = 0;
    std::string body;
};

// Bodies beyond this are refused: a device payload is small, a runaway one must not eat memory.
inline constexpr std::size_t k_max_body = 1024 * 1024;

class HttpClient {
public:
    // Loads the TLS files now (for https), so a bad one is reported by name. Errors: net.tls.
    static Expected<std::shared_ptr<HttpClient>> create(asio::any_io_executor executor,
                                                        const TlsConfig& tls);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Resolve, connect, (TLS handshake with the host checked), write, read the whole response:
    // all within `timeout`. Errors: http.connect, http.timeout, http.tls (the peer's certificate
    // is not trusted), http.protocol (not a valid HTTP response, or a body over k_max_body).
    asio::awaitable<Expected<HttpResponse>> send(const HttpRequest& request,
                                                 std::chrono::milliseconds timeout);
    // Closes every open connection: pending sends end at once.
    void cancel();

    struct Impl;

private:
    explicit HttpClient(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

// "Basic <base64(user:password)>" (RFC 7617).
std::string basic_authorization(const std::string& username, const std::string& password);

}  // namespace lintel::http
