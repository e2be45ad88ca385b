// RFC 7512 pkcs11: URIs, the subset lintel accepts for naming a token and a key in it.
// Pure text handling (no PKCS#11, no OpenSSL), so the config loader and the fuzzer use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::pkcs11 {

// The attributes lintel uses, percent-decoded. Empty optional: not given (matches anything).
struct Uri {
    std::optional<std::string> token;         // token label
    std::optional<std::string> manufacturer;  // token manufacturer
    std::optional<std::string> serial;        // token serial number
    std::optional<std::string> model;         // token model
    std::optional<std::string> object;        // CKA_LABEL of the key
    std::optional<std::string> id;            // CKA_ID of the key (raw bytes)
    std::optional<std::string> type;          // private | public | cert | secret-key | data

    bool names_key() const { return object.has_value() || id.has_value(); }
};

inline bool is_pkcs11_uri(std::string_view text) { return text.starts_with("pkcs11:"); }

// Strict: unknown or repeated attributes, bad percent escapes and any query attribute are refused
// (pkcs11.uri). pin-value / pin-source are refused because a secret never goes into config text
// (the PIN comes from the PIN file); module-path / module-name because the module is configured
// next to the URI, in one place.
Expected<Uri> parse_uri(std::string_view text);

// As parse_uri, and it must name one private key: object= or id=, type absent or "private".
Expected<Uri> parse_key_uri(std::string_view text);

// pkcs11:token=...;object=...;id=...;type=private with every byte outside RFC 7512's unreserved
// set percent-encoded.
std::string format_uri(const Uri& uri);

// Only the attributes that name the token (token, manufacturer, serial, model): the token a key
// URI points into, where lintel makes keys of its own.
Uri token_part(const Uri& uri);

}  // namespace lintel::pkcs11
