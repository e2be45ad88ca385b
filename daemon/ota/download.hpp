// Downloads one OTA artifact over HTTPS into the staging directory: resumable (Range/If-Range),
// size-bounded, bandwidth-limited, abortable; progress is rate-limited (docs/ota.md, "Download").
#pragma once

#include "lintel/asio.hpp"  // first: the <utility> prelude asio needs

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lintel/error.hpp"
#include "ota/reason_codes.hpp"

namespace lintel::ota {

// Field names follow the config keys ota.download.* that will carry them.
struct DownloadSettings {
    std::filesystem::path ca;           // ota.download.ca: required, the server must chain to it
    std::filesystem::path client_cert;  // ota.download.client_cert: optional, with client_key
    std::filesystem::path client_key;   // ota.download.client_key: mode 0600 or stricter
    std::uint64_t bandwidth_limit = 0;  // ota.download.bandwidth_limit: bytes/s, 0 = none
    // ota.download.timeout: limit for resolve+connect, for the TLS handshake, for the response
    // header, and for silence while the body flows (an idle limit, not a limit on the whole).
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};

    // Failed attempts in a row that brought no new byte; an attempt that made progress resets
    // the count, so a link that drops every few MB still finishes.
    unsigned max_retries = 5;
    std::chrono::milliseconds retry_initial{std::chrono::seconds(1)};  // backoff, full jitter
    std::chrono::milliseconds retry_max{std::chrono::seconds(60)};
    // The whole fetch, retries and waits included; zero = none (the caller may abort()).
    std::chrono::milliseconds deadline{0};
    std::string user_agent = "lintel-ota/1";
    // Free space required beyond the bytes still to download.
    std::uint64_t space_margin = 16ULL * 1024 * 1024;

    // Progress reports (ProgressGate): every step_percent, or after progress_interval with
    // progress, never two within progress_min_interval; first and last always.
    unsigned progress_step_percent = 5;
    std::chrono::milliseconds progress_interval{std::chrono::seconds(30)};
    std::chrono::milliseconds progress_min_interval{std::chrono::seconds(1)};

    // Test hook: the free bytes of a directory; empty = statvfs. Lets a test fake a full disk
    // without mounting anything.
    std::function<Expected<std::uint64_t>(const std::filesystem::path&)> free_space;
};

struct DownloadRequest {
    std::string url;                    // https://host[:port]/path[?query]
    std::uint64_t expected_size = 0;    // from the verified manifest
    std::filesystem::path destination;  // in the staging directory; .part/.part.meta beside it
};

struct DownloadResult {
    std::filesystem::path path;        // == destination
    std::uint64_t size = 0;            // == expected_size
    std::string sha256;                // hex of the whole file (resumed bytes re-hashed)
    std::uint64_t resumed_from = 0;    // bytes of an earlier .part kept at the start
    std::uint64_t bytes_received = 0;  // body bytes that came over the network in this fetch
    unsigned attempts = 0;             // connections made (1 when nothing failed)
    unsigned restarts = 0;             // times a kept .part was thrown away (200, If-Range, ...)
};

// (bytes on disk, expected size); called on the executor.
using ProgressHandler = std::function<void(std::uint64_t bytes, std::uint64_t total)>;

enum class PartialFile { keep, remove };

// Runs on a single-threaded executor (linteld's loop, or a strand). One fetch at a time.
class Downloader {
public:
    // Loads the TLS files now. Errors: ota.tls (missing CA, unreadable files, a client key
    // readable by others, a key that does not match its certificate).
    static Expected<Downloader> create(asio::any_io_executor executor, DownloadSettings settings);

    // Downloads to <destination>.part (resuming one that belongs to the same URL path and size),
    // then renames it to the destination. The caller checks the sha256 before using the file.
    // Errors (DownloadResult never holds a partial file):
    //   ota.download_failed  HTTP status, redirect, TLS handshake/connection errors after the
    //                        retries, size mismatch, bad URL, file errors
    //   ota.too_large        the server announced or sent more than expected_size (the .part
    //                        is removed: it is not the artifact the manifest describes)
    //   ota.no_space         free space below what is still needed + margin, or ENOSPC
    //                        mid-way (the .part keeps every byte written before)
    //   ota.aborted          abort() was called (the .part kept or removed as asked)
    //   ota.tls              the server's certificate is not trusted (not retried)
    asio::awaitable<Expected<DownloadResult>> fetch(DownloadRequest request,
                                                    ProgressHandler progress = {});

    // Ends a running fetch within milliseconds (it returns ota.aborted). Safe from any thread.
    // Without a running fetch it does nothing.
    void abort(PartialFile partial);

    struct State;

private:
    explicit Downloader(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
};

}  // namespace lintel::ota
