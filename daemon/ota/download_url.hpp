// An artifact's https URL split into what a connection needs, and its redacted form for messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::ota {

struct HttpsUrl {
    std::string host;  // lower-case DNS name, IPv4 literal, or IPv6 literal without brackets
    std::uint16_t port = 443;
    std::string target;  // path and query as sent in the request line; "/" when the URL has none
    bool host_is_ip = false;
    bool host_is_ipv6 = false;

    // "https://host[:port]/path": no query, fragment or user info, so a pre-signed URL's
    // signature never reaches a log line, an error message or the .part.meta file.
    std::string redacted() const;
    // The Host header: IPv6 in brackets, ":port" unless 443.
    std::string host_header() const;
};

// Accepts only "https://" URLs with a host, an optional port (1-65535), an optional path and
// query of printable ASCII; a fragment is dropped. User info ("user:pass@") is refused: secrets
// belong in the client certificate, not in a URL that is logged. Errors: ota.download_failed,
// with a message that never repeats the URL (it may hold a secret).
Expected<HttpsUrl> parse_https_url(std::string_view url);

}  // namespace lintel::ota
