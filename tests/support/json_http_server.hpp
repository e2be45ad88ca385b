// Test support: an in-process HTTP or HTTPS server on 127.0.0.1 for the http driver's tests.
// Each path answers what the test set (status, body — valid JSON or not —, a delay); every
// request is recorded (method, target, Authorization, body) so tests can assert on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::test {

struct JsonReply {
    unsigned status = 200;
    std::string body;                    // sent as it is (malformed JSON is just a body)
    std::chrono::milliseconds delay{0};  // wait this long before answering (a slow device)
};

struct ServedRequest {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query
    std::string authorization;
    std::string content_type;
    std::string body;
};

class JsonHttpServer {
public:
    struct Options {
        std::filesystem::path cert;  // set with key: HTTPS (e.g. Pki::server)
        std::filesystem::path key;
    };

    // Binds 127.0.0.1 port 0 (free by construction), serves on its own thread.
    static Expected<std::unique_ptr<JsonHttpServer>> start(const Options& options);
    ~JsonHttpServer();  // stops the thread; open connections are dropped
    JsonHttpServer(const JsonHttpServer&) = delete;
    JsonHttpServer& operator=(const JsonHttpServer&) = delete;

    std::uint16_t port() const;
    // "http(s)://127.0.0.1:<port><path>".
    std::string url(std::string_view path) const;

    // What `path` (without the query) answers from now on; unknown paths get 404. Thread-safe.
    void set(const std::string& path, JsonReply reply);
    std::vector<ServedRequest> requests() const;
    std::size_t count(std::string_view path) const;  // requests whose path is `path`

    struct Impl;

private:
    explicit JsonHttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lintel::test
