// libFuzzer target: arbitrary bytes as what a download server or a leftover file can hand the
// downloader — an artifact URL, a Content-Range header, a .part.meta file — must give a value
// or an error, never a crash, hang or sanitizer report; and what is accepted must hold its
// invariants (a redacted URL has no query and parses to the same host and port, a range is
// ordered, a meta file round-trips).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ota/download_headers.hpp"
#include "ota/download_meta.hpp"
#include "ota/download_url.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace lintel::ota;
    if (size > 16384) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (auto url = parse_https_url(text)) {
        const auto redacted = url->redacted();
        // No query; no user info either, or the redacted form would not parse again below.
        check(redacted.find('?') == std::string::npos);
        check(!url->target.empty() && url->target.front() == '/');
        auto again = parse_https_url(redacted);
        check(again && again->host == url->host && again->port == url->port &&
              again->host_is_ip == url->host_is_ip);
    } else {
        check(url.error().code == "ota.download_refused");
    }

    if (auto range = parse_content_range(text)) {
        check(range->first <= range->last);
        check(!range->complete_size || *range->complete_size > range->last);
    }

    if (auto meta = parse_part_meta(text)) {
        check(meta->committed <= meta->size);
        auto again = parse_part_meta(serialise_part_meta(*meta));
        check(again && *again == *meta);
    }

    const auto stored = storable_header_value(text);
    check(stored.find('\n') == std::string::npos && stored.find('\r') == std::string::npos);
    const auto validator = if_range_validator(text, text);
    check(validator.find('\n') == std::string::npos);
    return 0;
}
