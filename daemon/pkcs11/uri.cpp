// Parsing and formatting of pkcs11: URIs (RFC 7512), strictly: a URI that lintel would silently
// half-understand is refused with the attribute named.
#include "pkcs11/uri.hpp"

#include <array>

#include "pkcs11/reason_codes.hpp"

namespace lintel::pkcs11 {
namespace {

std::unexpected<Error> bad(std::string why) {
    return make_error(std::string(error::uri), "pkcs11: URI: " + std::move(why));
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes one value; control characters, spaces and the delimiters that RFC 7512 reserves
// must be escaped.
Expected<std::string> decode(std::string_view name, std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == '%') {
            const bool room = i + 2 < value.size();
            const int hi = room ? hex_digit(value[i + 1]) : -1;
            const int lo = room ? hex_digit(value[i + 2]) : -1;
            if (hi < 0 || lo < 0) return bad("attribute " + std::string(name) + ": bad % escape");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
            continue;
        }
        if (c <= 0x20 || c >= 0x7f || c == '#' || c == '/' || c == '?' || c == '"' || c == '<' ||
            c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
            return bad("attribute " + std::string(name) + ": character must be %-escaped");
        }
        out.push_back(static_cast<char>(c));
    }
    return out;
}

bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void append_encoded(std::string& out, std::string_view value) {
    static constexpr std::string_view k_hex = "0123456789ABCDEF";
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(k_hex[c >> 4]);
            out.push_back(k_hex[c & 0x0f]);
        }
    }
}

constexpr std::array<std::string_view, 5> k_types{"private", "public", "cert", "secret-key",
                                                  "data"};

}  // namespace

Expected<Uri> parse_uri(std::string_view text) {
    if (!is_pkcs11_uri(text)) return bad("must start with \"pkcs11:\"");
    if (text.size() > 1024) return bad("longer than 1024 characters");
    std::string_view rest = text.substr(7);
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        const std::string_view query = rest.substr(q + 1);
        const std::string_view name = query.substr(0, query.find('='));
        if (name == "pin-value" || name == "pin-source") {
            return bad(std::string(name) +
                       " is not accepted: the PIN is read from the PIN file, never from config "
                       "text");
        }
        if (name == "module-path" || name == "module-name") {
            return bad(std::string(name) +
                       " is not accepted: the module is configured beside "
                       "the URI (pkcs11.module)");
        }
        return bad("query attributes are not accepted (\"" + std::string(name) + "\")");
    }
    Uri uri;
    while (!rest.empty()) {
        const std::size_t end = rest.find(';');
        const std::string_view attribute = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (attribute.empty()) return bad("empty attribute (\";;\" or a trailing \";\")");
        const std::size_t eq = attribute.find('=');
        if (eq == std::string_view::npos)
            return bad("attribute \"" + std::string(attribute) + "\" has no value");
        const std::string_view name = attribute.substr(0, eq);
        auto value = decode(name, attribute.substr(eq + 1));
        if (!value) return std::unexpected(value.error());
        std::optional<std::string>* slot = nullptr;
        if (name == "token")
            slot = &uri.token;
        else if (name == "manufacturer")
            slot = &uri.manufacturer;
        else if (name == "serial")
            slot = &uri.serial;
        else if (name == "model")
            slot = &uri.model;
        else if (name == "object")
            slot = &uri.object;
        else if (name == "id")
            slot = &uri.id;
        else if (name == "type")
            slot = &uri.type;
        else
            return bad("unknown or unsupported attribute \"" + std::string(name) + "\"");
        if (slot->has_value()) return bad("attribute \"" + std::string(name) + "\" repeated");
        if (value->empty() && name != "id")
            return bad("attribute \"" + std::string(name) + "\" is empty");
        *slot = std::move(*value);
    }
    if (uri.type) {
        bool known = false;
        for (auto t : k_types) known = known || *uri.type == t;
        if (!known) return bad("type \"" + *uri.type + "\" is not a PKCS#11 object type");
    }
    return uri;
}

Expected<Uri> parse_key_uri(std::string_view text) {
    auto uri = parse_uri(text);
    if (!uri) return uri;
    if (!uri->names_key()) return bad("must name the key with object= (its label) or id=");
    if (uri->type && *uri->type != "private")
        return bad("type=" + *uri->type + " does not name a private key (use type=private)");
    return uri;
}

Uri token_part(const Uri& uri) {
    Uri out;
    out.token = uri.token;
    out.manufacturer = uri.manufacturer;
    out.serial = uri.serial;
    out.model = uri.model;
    return out;
}

std::string format_uri(const Uri& uri) {
    std::string out = "pkcs11:";
    bool first = true;
    auto add = [&](std::string_view name, const std::optional<std::string>& value) {
        if (!value) return;
        if (!first) out.push_back(';');
        first = false;
        out.append(name);
        out.push_back('=');
        append_encoded(out, *value);
    };
    add("token", uri.token);
    add("manufacturer", uri.manufacturer);
    add("serial", uri.serial);
    add("model", uri.model);
    add("object", uri.object);
    add("id", uri.id);
    add("type", uri.type);
    return out;
}

}  // namespace lintel::pkcs11
