// parse_http_url: a strict subset of RFC 3986 for the URLs lintel fetches (no asio: fuzzers build
// it).
#include "net/http_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

namespace lintel::net {
namespace {

constexpr std::size_t k_max_url = 8192;
constexpr std::size_t k_max_host = 253;

std::unexpected<Error> bad_url(const std::string& why) { return make_error("net.bad_url", why); }

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

bool is_printable(char c) { return c > 0x20 && c < 0x7f; }

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool parse_port(std::string_view text, std::uint16_t& port) {
    if (text.empty() || text.size() > 5) return false;
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

}  // namespace

std::uint16_t HttpUrl::default_port() const { return tls ? 443 : 80; }

std::string HttpUrl::redacted() const {
    std::string out = (tls ? "https://" : "http://") + host_header();
    const auto query = target.find('?');
    out += target.substr(0, query);
    return out;
}

std::string HttpUrl::host_header() const {
    std::string out = host_is_ipv6 ? "[" + host + "]" : host;
    if (port != default_port()) out += ":" + std::to_string(port);
    return out;
}

Expected<HttpUrl> parse_http_url(std::string_view url, Schemes schemes) {
    if (url.size() > k_max_url) return bad_url("longer than 8192 characters");
    if (!std::all_of(url.begin(), url.end(), is_printable))
        return bad_url("it contains spaces, control or non-ASCII characters");
    HttpUrl out;
    std::string_view rest;
    if (iequals_prefix(url, "https://")) {
        rest = url.substr(8);
    } else if (schemes == Schemes::http_or_https && iequals_prefix(url, "http://")) {
        rest = url.substr(7);
        out.tls = false;
        out.port = 80;
    } else {
        return bad_url(schemes == Schemes::https_only
                           ? "only https:// URLs are accepted"
                           : "only http:// and https:// URLs are accepted");
    }
    rest = rest.substr(0, rest.find('#'));
    const auto authority_end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, authority_end);
    const std::string_view target =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos)
        return bad_url("user info (user:password@) in a URL is refused");

    std::string_view host;
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad_url("unclosed '[' in the host");
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad_url("junk after the IPv6 address");
            port_text = after.substr(1);
            if (port_text.empty()) return bad_url("empty port");
        }
        in6_addr addr{};
        if (inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1)
            return bad_url("the bracketed host is not an IPv6 address");
        out.host_is_ip = true;
        out.host_is_ipv6 = true;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return bad_url("empty port");
        }
        if (host.empty()) return bad_url("no host");
        if (host.size() > k_max_host) return bad_url("the host name is too long");
        if (!std::all_of(host.begin(), host.end(), is_name_char))
            return bad_url("the host is neither a DNS name nor an IP address");
        in_addr addr{};
        out.host_is_ip = inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
    }
    if (host.empty()) return bad_url("no host");
    if (!port_text.empty() && !parse_port(port_text, out.port))
        return bad_url("the port is not a number from 1 to 65535");

    out.host.reserve(host.size());
    for (char c : host) out.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (target.empty()) {
        out.target = "/";
    } else if (target.front() == '?') {
        out.target = "/" + std::string(target);
    } else {
        out.target = std::string(target);
    }
    return out;
}

}  // namespace lintel::net
