// An artifact's https URL split into what a connection needs, and its redacted form for messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "net/http_url.hpp"

namespace lintel::ota {

// An https URL (net::HttpUrl with tls set).
using HttpsUrl = net::HttpUrl;

// Accepts only "https://" URLs with a host, an optional port (1-65535), an optional path and
// query of printable ASCII; a fragment is dropped. User info ("user:pass@") is refused: secrets
// belong in the client certificate, not in a URL that is logged. Errors: ota.download_failed,
// with a message that never repeats the URL (it may hold a secret).
Expected<HttpsUrl> parse_https_url(std::string_view url);

}  // namespace lintel::ota
