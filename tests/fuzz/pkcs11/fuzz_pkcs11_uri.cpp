// libFuzzer target: arbitrary bytes as a pkcs11: URI give a Uri or a pkcs11.uri error, never a
// crash; an accepted URI formats to text that parses back to the same attributes, and a key URI
// never carries a PIN or a module (those are refused, whatever the spelling).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pkcs11/uri.hpp"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool same(const lintel::pkcs11::Uri& a, const lintel::pkcs11::Uri& b) {
    return a.token == b.token && a.manufacturer == b.manufacturer && a.serial == b.serial &&
           a.model == b.model && a.object == b.object && a.id == b.id && a.type == b.type;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto uri = lintel::pkcs11::parse_uri(text);
    if (!uri) {
        check(uri.error().code == "pkcs11.uri");
        return 0;
    }
    check(text.find('?') == std::string_view::npos);  // no query: no pin-value, no module-path
    const auto formatted = lintel::pkcs11::format_uri(*uri);
    auto again = lintel::pkcs11::parse_uri(formatted);
    // format_uri may exceed the length bound (escaping triples bytes); else it must round-trip.
    if (formatted.size() <= 1024) {
        check(again.has_value());
        check(same(*uri, *again));
    }
    auto key = lintel::pkcs11::parse_key_uri(text);
    if (key) check(key->names_key() && (!key->type || *key->type == "private"));
    return 0;
}
