// One HTTPS GET per connection for the downloader: TLS policy, connect, request, streamed body.
// Beast and OpenSSL stay in download_https.cpp; this header shows only our own types.
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lintel/error.hpp"
#include "ota/download_url.hpp"

namespace lintel::ota {

struct TlsFiles {
    std::filesystem::path ca;           // required: the only trust anchor
    std::filesystem::path client_cert;  // optional, with client_key
    std::filesystem::path client_key;   // must be 0600 (or stricter)
};

// The client's TLS policy, shared by the connections of one downloader: our CA only (no system
// store), optional client certificate, TLS >= 1.2, no compression or renegotiation.
class HttpsClientContext {
public:
    // Loads the files now, so a bad one is reported by name before any connection. Errors: ota.tls.
    static Expected<std::shared_ptr<HttpsClientContext>> create(const TlsFiles& files);
    ~HttpsClientContext();
    HttpsClientContext(const HttpsClientContext&) = delete;
    HttpsClientContext& operator=(const HttpsClientContext&) = delete;

    struct Impl;

private:
    HttpsClientContext();
    std::unique_ptr<Impl> impl_;
    friend class HttpsExchange;
};

struct HttpsRequest {
    std::string target;       // "/path?query"
    std::string host_header;  // HttpsUrl::host_header()
    std::string user_agent;
    std::string range;     // "" or "bytes=N-"
    std::string if_range;  // "" or a validator
};

struct HttpsResponseHead {
    unsigned status = 0;
    std::optional<std::uint64_t> content_length;  // none: chunked or delimited by the close
    std::string content_range;
    std::string etag;
    std::string last_modified;
    bool redirect_has_location = false;
};

// Not reusable: one connect(), one send(), then read_body() until it returns 0.
class HttpsExchange {
public:
    HttpsExchange(asio::any_io_executor executor, std::shared_ptr<HttpsClientContext> context);
    ~HttpsExchange();
    HttpsExchange(const HttpsExchange&) = delete;
    HttpsExchange& operator=(const HttpsExchange&) = delete;

    // Resolves (names with the asio resolver, IPv4/IPv6 literals as they are), connects and
    // does the TLS handshake with SNI (names only) and host or IP verification; connect and
    // handshake each within `timeout`. Errors: ota.tls (the server's certificate is not
    // trusted), ota.download_failed (anything else; worth a retry).
    asio::awaitable<Expected<void>> connect(const HttpsUrl& url, std::chrono::milliseconds timeout);
    // Writes the GET and reads the response header, each within `timeout`.
    // Errors: ota.download_failed.
    asio::awaitable<Expected<HttpsResponseHead>> send(const HttpsRequest& request,
                                                      std::chrono::milliseconds timeout);
    // Up to `size` bytes of the body; 0 once the body is complete. Fails if no byte arrives
    // within `timeout` or the connection ends before the body does. Errors: ota.download_failed.
    asio::awaitable<Expected<std::size_t>> read_body(char* data, std::size_t size,
                                                     std::chrono::milliseconds timeout);
    // Closes the connection: a pending operation ends at once (thread: the executor's).
    void cancel();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;  // shared with the idle watchdog's pending wait
};

}  // namespace lintel::ota
