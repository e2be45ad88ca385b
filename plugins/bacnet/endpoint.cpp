// Parsing of BACnet/IP address texts (see endpoint.hpp).
#include "endpoint.hpp"

#include <array>

namespace lintel::bacnet {
namespace {

// A decimal number of at most `max`, digits only.
std::optional<std::uint32_t> decimal(std::string_view text, std::uint32_t max) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (v > max) return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

std::optional<std::array<std::uint8_t, 4>> ipv4(std::string_view text) {
    std::array<std::uint8_t, 4> out{};
    for (std::size_t i = 0; i < 4; ++i) {
        const auto dot = text.find('.');
        const bool last = i == 3;
        if (last != (dot == std::string_view::npos)) return std::nullopt;
        const std::string_view part = last ? text : text.substr(0, dot);
        // No leading zeros: "010" reads as octal in some tools and decimal in others.
        if (part.size() > 1 && part.front() == '0') return std::nullopt;
        const auto v = decimal(part, 255);
        if (!v) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(*v);
        if (!last) text.remove_prefix(dot + 1);
    }
    return out;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<IpEndpoint> parse_ip_endpoint(std::string_view text, std::uint16_t default_port,
                                            std::string& why) {
    IpEndpoint e;
    e.port = default_port;
    std::string_view host = text;
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        const auto port = decimal(text.substr(colon + 1), 65535);
        if (!port || *port == 0) {
            why = "\"" + std::string(text) + "\": the port after ':' must be 1-65535";
            return std::nullopt;
        }
        e.port = static_cast<std::uint16_t>(*port);
    }
    const auto address = ipv4(host);
    if (!address) {
        why = "\"" + std::string(text) +
              "\" is not an IPv4 address such as 192.0.2.10 or 192.0.2.10:47808";
        return std::nullopt;
    }
    e.address = *address;
    return e;
}

std::optional<std::vector<std::uint8_t>> parse_mac(std::string_view text, std::string& why) {
    if (auto v = decimal(text, 255))
        return std::vector<std::uint8_t>{static_cast<std::uint8_t>(*v)};
    if (text.starts_with("0x") || text.starts_with("0X")) {
        const std::string_view digits = text.substr(2);
        if (digits.empty() || digits.size() % 2 != 0 || digits.size() > 14) {
            why = "\"" + std::string(text) + "\": a hex MAC has 2 to 14 digits, two per byte";
            return std::nullopt;
        }
        std::vector<std::uint8_t> out;
        for (std::size_t i = 0; i < digits.size(); i += 2) {
            const int hi = hex_digit(digits[i]);
            const int lo = hex_digit(digits[i + 1]);
            if (hi < 0 || lo < 0) {
                why = "\"" + std::string(text) + "\" has a character that is not a hex digit";
                return std::nullopt;
            }
            out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
        }
        return out;
    }
    if (text.find('.') != std::string_view::npos) {
        auto e = parse_ip_endpoint(text, kDefaultPort, why);
        if (!e) return std::nullopt;
        std::vector<std::uint8_t> out(e->address.begin(), e->address.end());
        out.push_back(static_cast<std::uint8_t>(e->port >> 8));
        out.push_back(static_cast<std::uint8_t>(e->port & 0xFF));
        return out;
    }
    why = "\"" + std::string(text) +
          "\" is not a MAC: use a number 0-255 (MS/TP), 0x followed by hex bytes, or "
          "a.b.c.d:port (B/IP)";
    return std::nullopt;
}

bool is_any_address(const IpEndpoint& endpoint) {
    return endpoint.address == std::array<std::uint8_t, 4>{0, 0, 0, 0};
}

std::string ip_text(const IpEndpoint& endpoint) {
    const auto& a = endpoint.address;
    return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
           std::to_string(a[3]);
}

}  // namespace lintel::bacnet
