// parse_https_url: the shared URL parser (net/http_url.hpp), https only, with the OTA reason code.
#include "ota/download_url.hpp"

#include "ota/reason_codes.hpp"

namespace lintel::ota {

Expected<HttpsUrl> parse_https_url(std::string_view url) {
    auto parsed = net::parse_http_url(url, net::Schemes::https_only);
    if (!parsed) {
        return make_error(std::string(reason::download_refused),
                          "the artifact URL is not usable: " + parsed.error().message);
    }
    return parsed;
}

}  // namespace lintel::ota
