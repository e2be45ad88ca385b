// An http(s) URL split into what a connection needs, and its redacted form for messages.
// Shared by the OTA downloader (https only) and the http device driver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::net {

struct HttpUrl {
    bool tls = true;   // https
    std::string host;  // lower-case DNS name, IPv4 literal, or IPv6 literal without brackets
    std::uint16_t port = 443;
    std::string target;  // path and query as sent in the request line; "/" when the URL has none
    bool host_is_ip = false;
    bool host_is_ipv6 = false;

    std::uint16_t default_port() const;  // 443 or 80
    // "https://host[:port]/path": no query, fragment or user info, so a pre-signed URL's
    // signature or a device's token never reaches a log line or an error message.
    std::string redacted() const;
    // The Host header: IPv6 in brackets, ":port" unless the scheme's default.
    std::string host_header() const;
};

enum class Schemes { https_only, http_or_https };

// Accepts only "https://" (and with http_or_https "http://") URLs with a host, an optional port
// (1-65535), an optional path and query of printable ASCII; a fragment is dropped. User info
// ("user:pass@") is refused: secrets belong in files, not in a URL that is logged. Errors:
// net.bad_url, with a message saying why that never repeats the URL (it may hold a secret).
Expected<HttpUrl> parse_http_url(std::string_view url, Schemes schemes);

}  // namespace lintel::net
