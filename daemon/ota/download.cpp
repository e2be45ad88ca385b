// Downloader: the attempt loop (retries, resume, restart from 0), size and space limits,
// bandwidth limit, progress and abort. HTTP and TLS details are in download_https.cpp.
#include "ota/download.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <vector>

#include "common/sha256.hpp"
#include "ota/download_headers.hpp"
#include "ota/download_https.hpp"
#include "ota/download_part.hpp"
#include "ota/download_progress.hpp"
#include "ota/download_rate_limit.hpp"
#include "ota/download_url.hpp"
#include "uplink/backoff.hpp"

namespace lintel::ota {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_use = asio::use_awaitable;
constexpr std::size_t k_chunk = 64 * 1024;
// fdatasync + .part.meta every 8 MiB: a crash loses at most that much, and a slow flash
// card is not asked to sync after every chunk.
constexpr std::uint64_t k_commit_every = 8ULL * 1024 * 1024;
constexpr std::size_t k_rehash_chunk = 1024 * 1024;

std::unexpected<Error> fail(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

enum class Stop { none, aborted, deadline };

struct Attempt {
    std::optional<Error> error;  // none: the response was used up (maybe not the whole file)
    bool retry = false;
    bool progressed = false;
};

Attempt give_up(Error e) { return Attempt{std::move(e), false, false}; }

template <typename F>
struct OnExit {
    F f;
    ~OnExit() { f(); }
};
template <typename F>
OnExit(F) -> OnExit<F>;

}  // namespace

struct Downloader::State {
    State(asio::any_io_executor ex, DownloadSettings s, std::shared_ptr<HttpsClientContext> t)
        : executor(ex),
          settings(std::move(s)),
          tls(std::move(t)),
          wait_timer(ex),
          deadline_timer(ex) {}

    void request_stop(Stop why, PartialFile what) {
        if (!running || stop != Stop::none) return;
        stop = why;
        partial = what;
        wait_timer.cancel();
        if (current != nullptr) current->cancel();
    }

    asio::any_io_executor executor;
    DownloadSettings settings;
    std::shared_ptr<HttpsClientContext> tls;
    asio::steady_timer wait_timer;      // backoff and bandwidth waits
    asio::steady_timer deadline_timer;  // settings.deadline
    HttpsExchange* current = nullptr;   // the connection of the running attempt
    bool running = false;
    std::uint64_t generation = 0;  // tells a late deadline of an earlier fetch from this one's
    Stop stop = Stop::none;
    PartialFile partial = PartialFile::keep;
};

namespace {

// One call of fetch(): everything it owns while it runs.
class Fetch {
public:
    Fetch(Downloader::State& state, DownloadRequest request, ProgressHandler progress)
        : st_(state),
          request_(std::move(request)),
          progress_(std::move(progress)),
          bucket_(state.settings.bandwidth_limit, Clock::now()),
          gate_(
              ProgressPolicy{state.settings.progress_step_percent, state.settings.progress_interval,
                             state.settings.progress_min_interval},
              request_.expected_size),
          buffer_(k_chunk) {}

    asio::awaitable<Expected<DownloadResult>> run();

private:
    asio::awaitable<Attempt> attempt();
    asio::awaitable<Attempt> read_body(HttpsExchange& exchange, std::uint64_t end);
    asio::awaitable<Expected<void>> rehash();
    // Waits on the shared timer; false if the fetch was stopped meanwhile.
    asio::awaitable<bool> wait(Clock::duration duration);
    Expected<void> check_space() const;
    Attempt restart_from_zero(std::string why);
    Error stopped();
    void report(std::uint64_t bytes);
    std::string where() const { return url_.redacted(); }
    bool stopping() const { return st_.stop != Stop::none; }

    Downloader::State& st_;
    DownloadRequest request_;
    ProgressHandler progress_;
    HttpsUrl url_;
    std::optional<PartFile> part_;
    common::Sha256 hash_;
    TokenBucket bucket_;
    ProgressGate gate_;
    std::vector<char> buffer_;
    DownloadResult result_;
};

asio::awaitable<Expected<DownloadResult>> Fetch::run() {
    const std::uint64_t size = request_.expected_size;
    auto url = parse_https_url(request_.url);
    if (!url) co_return std::unexpected(url.error());
    url_ = std::move(*url);
    if (size == 0) co_return fail(reason::download_failed, where() + ": the expected size is 0");
    auto part = PartFile::open(request_.destination, url_.redacted(), size);
    if (!part) co_return fail(part.error().code, where() + ": " + part.error().message);
    part_.emplace(std::move(*part));
    result_.resumed_from = part_->offset();
    if (part_->offset() > 0) {
        if (auto hashed = co_await rehash(); !hashed) {
            if (stopping()) co_return std::unexpected(stopped());
            co_return std::unexpected(hashed.error());
        }
    }
    if (auto space = check_space(); !space) co_return std::unexpected(space.error());
    report(part_->offset());

    uplink::Backoff backoff(st_.settings.retry_initial, st_.settings.retry_max);
    unsigned failures = 0;
    for (;;) {
        if (stopping()) co_return std::unexpected(stopped());
        if (part_->offset() == size) {
            if (auto done = part_->finish(); !done)
                co_return fail(done.error().code, where() + ": " + done.error().message);
            report(size);
            auto digest = hash_.finish_hex();
            if (!digest) co_return std::unexpected(digest.error());
            result_.path = request_.destination;
            result_.size = size;
            result_.sha256 = std::move(*digest);
            co_return result_;
        }
        Attempt outcome = co_await attempt();
        if (stopping()) co_return std::unexpected(stopped());
        if (!outcome.error) continue;  // e.g. a 206 for part of the rest: ask for the remainder
        Error failure = std::move(*outcome.error);
        failure.message = where() + ": " + failure.message;
        if (failure.code == reason::too_large) {
            part_->discard();  // not the artifact the manifest describes: nothing to resume
            co_return std::unexpected(failure);
        }
        if (auto kept = part_->commit(); !kept) co_return std::unexpected(kept.error());
        if (!outcome.retry) co_return std::unexpected(failure);
        if (outcome.progressed) {
            failures = 0;
            backoff.reset();
        } else {
            ++failures;
        }
        if (failures > st_.settings.max_retries) {
            failure.message += " (gave up after " + std::to_string(result_.attempts) +
                               " attempts, " + std::to_string(failures) +
                               " in a row without progress)";
            co_return std::unexpected(failure);
        }
        if (!co_await wait(backoff.next())) co_return std::unexpected(stopped());
    }
}

asio::awaitable<Attempt> Fetch::attempt() {
    ++result_.attempts;
    const DownloadSettings& settings = st_.settings;
    const std::uint64_t size = request_.expected_size;
    HttpsExchange exchange(st_.executor, st_.tls);
    st_.current = &exchange;
    OnExit forget{[this] { st_.current = nullptr; }};

    auto connected = co_await exchange.connect(url_, settings.timeout);
    if (stopping()) co_return Attempt{};
    if (!connected) {
        const bool trust = connected.error().code == reason::tls;
        co_return Attempt{connected.error(), !trust, false};
    }
    HttpsRequest request{url_.target, url_.host_header(), settings.user_agent, {}, {}};
    const std::uint64_t offset = part_->offset();
    if (offset > 0) {
        request.range = "bytes=" + std::to_string(offset) + "-";
        request.if_range = if_range_validator(part_->meta().etag, part_->meta().last_modified);
    }
    auto head = co_await exchange.send(request, settings.timeout);
    if (stopping()) co_return Attempt{};
    if (!head) co_return Attempt{head.error(), true, false};

    const unsigned status = head->status;
    const std::string status_text = "HTTP status " + std::to_string(status);
    if (status == 200) {
        if (head->content_length && *head->content_length > size) {
            co_return give_up(Error{std::string(reason::too_large),
                                    "the server announces " +
                                        std::to_string(*head->content_length) +
                                        " bytes, the artifact has " + std::to_string(size)});
        }
        if (head->content_length && *head->content_length < size) {
            co_return give_up(Error{std::string(reason::download_refused),
                                    "the server has " + std::to_string(*head->content_length) +
                                        " bytes, the artifact has " + std::to_string(size)});
        }
        if (offset > 0) ++result_.restarts;  // Range ignored, or If-Range saw a changed file
        hash_ = common::Sha256();
        auto fresh = part_->restart(storable_header_value(head->etag),
                                    storable_header_value(head->last_modified));
        if (!fresh) co_return give_up(fresh.error());
        report(0);
        co_return co_await read_body(exchange, size);
    }
    if (status == 206) {
        const auto range = parse_content_range(head->content_range);
        const bool matches =
            offset > 0 && range && range->first == offset && range->complete_size == size &&
            range->last < size &&
            (!head->content_length || *head->content_length == range->last - range->first + 1);
        // A strong ETag that differs from the first one means another file, whatever If-Range did.
        const auto& known = part_->meta().etag;
        const bool same_file = known.empty() || head->etag.empty() || head->etag == known;
        if (!matches || !same_file) {
            co_return restart_from_zero(
                !same_file ? "a resumed response carries another ETag"
                           : "Content-Range \"" + storable_header_value(head->content_range) +
                                 "\" does not continue at byte " + std::to_string(offset) + " of " +
                                 std::to_string(size));
        }
        co_return co_await read_body(exchange, range->last + 1);
    }
    if (status == 416 && offset > 0) co_return restart_from_zero("the server refused the range");
    if (status >= 300 && status < 400) {
        co_return give_up(Error{std::string(reason::download_refused),
                                status_text + ": redirects are refused (the manifest must name the "
                                              "artifact's final https URL)"});
    }
    const bool transient = status == 408 || status == 429 || status >= 500;
    co_return Attempt{
        Error{std::string(transient ? reason::download_failed : reason::download_refused),
              status_text},
        transient, false};
}

asio::awaitable<Attempt> Fetch::read_body(HttpsExchange& exchange, std::uint64_t end) {
    const std::uint64_t size = request_.expected_size;
    bool progressed = false;
    for (;;) {
        const std::size_t want = buffer_.size();
        const std::size_t allowed = bucket_.available(Clock::now(), want);
        // At least a quarter chunk (one TLS record; less under a small limit): reading whatever
        // trickled into the bucket since the last read would mean thousands of tiny reads and
        // timer waits per second.
        if (allowed < std::min(want, bucket_.capacity()) / 4) {
            if (!co_await wait(bucket_.wait_time(Clock::now(), want))) co_return Attempt{};
            continue;
        }
        auto got = co_await exchange.read_body(buffer_.data(), allowed, st_.settings.timeout);
        if (stopping()) co_return Attempt{};
        if (!got) co_return Attempt{got.error(), true, progressed};
        if (*got == 0) break;
        bucket_.consume(*got);
        if (part_->offset() + *got > end) {
            co_return give_up(Error{std::string(reason::too_large),
                                    "the server sent more than the " + std::to_string(size) +
                                        " bytes of the artifact"});
        }
        if (auto written = part_->write(buffer_.data(), *got); !written)
            co_return Attempt{written.error(), false, progressed};
        hash_.update(std::string_view(buffer_.data(), *got));
        result_.bytes_received += *got;
        progressed = true;
        if (part_->uncommitted() >= k_commit_every) {
            if (auto kept = part_->commit(); !kept) co_return Attempt{kept.error(), false, true};
        }
        report(part_->offset());
    }
    if (part_->offset() < end) {
        co_return Attempt{Error{std::string(reason::download_failed),
                                "the response ended at byte " + std::to_string(part_->offset()) +
                                    " of " + std::to_string(end)},
                          true, progressed};
    }
    co_return Attempt{std::nullopt, false, progressed};
}

Attempt Fetch::restart_from_zero(std::string why) {
    ++result_.restarts;
    hash_ = common::Sha256();
    if (auto emptied = part_->restart({}, {}); !emptied) return give_up(emptied.error());
    report(0);
    return Attempt{
        Error{std::string(reason::download_failed), why + "; starting again from byte 0"}, true,
        false};
}

asio::awaitable<Expected<void>> Fetch::rehash() {
    std::vector<char> chunk(k_rehash_chunk);
    std::uint64_t at = 0;
    while (at < part_->offset()) {
        auto got = part_->read_at(at, chunk.data(), chunk.size());
        if (!got) co_return std::unexpected(got.error());
        if (*got == 0) break;
        hash_.update(std::string_view(chunk.data(), *got));
        at += *got;
        // A long file is hashed in slices so that the loop (and an abort) get their turn.
        co_await asio::post(st_.executor, k_use);
        if (stopping()) co_return fail(reason::aborted, "stopped while re-hashing");
    }
    co_return Expected<void>{};
}

asio::awaitable<bool> Fetch::wait(Clock::duration duration) {
    if (stopping()) co_return false;
    st_.wait_timer.expires_after(duration);
    boost::system::error_code ec;
    co_await st_.wait_timer.async_wait(asio::redirect_error(k_use, ec));
    co_return !stopping();
}

Expected<void> Fetch::check_space() const {
    auto dir = request_.destination.parent_path();
    if (dir.empty()) dir = ".";
    auto free = st_.settings.free_space ? st_.settings.free_space(dir) : free_space(dir);
    if (!free) return std::unexpected(free.error());
    const std::uint64_t needed =
        request_.expected_size - part_->offset() + st_.settings.space_margin;
    if (*free < needed) {
        return fail(reason::no_space,
                    where() + ": " + dir.string() + " has " + std::to_string(*free) +
                        " bytes free; the download needs " + std::to_string(needed) +
                        " (the rest of the artifact plus a margin of " +
                        std::to_string(st_.settings.space_margin) + ")");
    }
    return {};
}

Error Fetch::stopped() {
    const std::uint64_t at = part_ ? part_->offset() : 0;
    const std::string progress =
        " at byte " + std::to_string(at) + " of " + std::to_string(request_.expected_size);
    if (st_.stop == Stop::deadline) {
        if (part_) static_cast<void>(part_->commit());
        return Error{std::string(reason::download_failed),
                     where() + ": not finished within the deadline of " +
                         std::to_string(st_.settings.deadline.count()) + " ms" + progress +
                         " (the partial file is kept)"};
    }
    const bool keep = st_.partial == PartialFile::keep;
    if (part_) {
        if (keep) {
            static_cast<void>(part_->commit());
        } else {
            part_->discard();
        }
    }
    return Error{std::string(reason::aborted),
                 where() + ": aborted" + progress +
                     (keep ? " (the partial file is kept)" : " (the partial file is removed)")};
}

void Fetch::report(std::uint64_t bytes) {
    if (progress_ && gate_.due(bytes, Clock::now())) progress_(bytes, request_.expected_size);
}

}  // namespace

Expected<Downloader> Downloader::create(asio::any_io_executor executor, DownloadSettings settings) {
    auto tls = HttpsClientContext::create(
        TlsFiles{settings.ca, settings.client_cert, settings.client_key});
    if (!tls) return std::unexpected(tls.error());
    return Downloader(std::make_shared<State>(executor, std::move(settings), std::move(*tls)));
}

asio::awaitable<Expected<DownloadResult>> Downloader::fetch(DownloadRequest request,
                                                            ProgressHandler progress) {
    auto state = state_;  // the coroutine keeps the state alive, whatever happens to *this
    if (state->running) {
        co_return fail(reason::download_failed, "a download is already running");
    }
    state->running = true;
    const std::uint64_t generation = ++state->generation;
    state->stop = Stop::none;
    state->partial = PartialFile::keep;
    OnExit done{[state] {
        state->running = false;
        state->current = nullptr;
        state->deadline_timer.cancel();
    }};
    if (state->settings.deadline.count() > 0) {
        state->deadline_timer.expires_after(state->settings.deadline);
        state->deadline_timer.async_wait(
            [weak = std::weak_ptr<State>(state), generation](boost::system::error_code ec) {
                auto s = weak.lock();
                if (!ec && s && s->generation == generation)
                    s->request_stop(Stop::deadline, PartialFile::keep);
            });
    }
    Fetch fetch(*state, std::move(request), std::move(progress));
    co_return co_await fetch.run();
}

void Downloader::abort(PartialFile partial) {
    asio::post(state_->executor,
               [state = state_, partial] { state->request_stop(Stop::aborted, partial); });
}

}  // namespace lintel::ota
