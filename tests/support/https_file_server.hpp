// Test support: an in-process HTTPS file server on 127.0.0.1 that misbehaves on request: drops,
// stalls, wrong or extra bytes, ignored or wrong ranges, a file that changes, error statuses.
// It records every request (Range, If-Range, status, body bytes) so tests can assert on resumes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::test {

// Per file; every field off by default. "Body bytes" count per response, from its first byte.
struct FileFaults {
    std::optional<std::uint64_t> drop_after{};  // close the TCP connection after this many
    bool drop_every_time = false;               // else only the first response drops
    std::optional<std::uint64_t> stall_at{};    // file offset: send nothing from there on, keep
                                                // the connection open (every response)
    std::optional<std::uint64_t> corrupt_at{};  // flip this file offset's byte whenever sent
    std::uint64_t extra_bytes = 0;              // append this many bytes after the file's end
    bool announce_extra = true;        // Content-Length includes them; else no Content-Length
                                       // (the body ends when the connection does)
    bool ignore_range = false;         // always 200 with the whole file
    bool wrong_content_range = false;  // a Range gets a 206 starting one byte later
    std::optional<std::string> change_after_first{};  // new content (and ETag) after response 1
    unsigned status = 0;        // answer with this status and no body (404, 500, 302, ...)
    unsigned status_times = 0;  // only the first N requests get `status`; 0 = all
    bool validators = true;     // send ETag and Last-Modified
};

struct RecordedRequest {
    std::string target;
    std::string range;     // "" if none
    std::string if_range;  // "" if none
    unsigned status = 0;   // what the server answered
    std::uint64_t body_bytes = 0;
};

class HttpsFileServer {
public:
    struct Options {
        std::filesystem::path cert;  // e.g. Pki::server (CN/SAN localhost, 127.0.0.1)
        std::filesystem::path key;
        std::filesystem::path client_ca;    // set: a client certificate from this CA is required
        std::string address = "127.0.0.1";  // or "::1"
    };

    // Binds `address` port 0 (so the port is free by construction), serves on its own thread.
    static Expected<std::unique_ptr<HttpsFileServer>> start(const Options& options);
    ~HttpsFileServer();  // stops the thread; open connections are dropped
    HttpsFileServer(const HttpsFileServer&) = delete;
    HttpsFileServer& operator=(const HttpsFileServer&) = delete;

    std::uint16_t port() const;
    // "https://127.0.0.1:<port><path>" ("https://[::1]:<port>..." on ::1; path starts with '/').
    std::string url(std::string_view path) const;

    // Adds or replaces a file (a new ETag and Last-Modified each time); faults stay.
    void put(const std::string& path, std::string content);
    void set_faults(const std::string& path, FileFaults faults);

    std::vector<RecordedRequest> requests() const;
    std::uint64_t body_bytes_sent() const;  // all responses together
    unsigned failed_handshakes() const;

    struct Impl;

private:
    explicit HttpsFileServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace lintel::test
