// Base64url without padding (RFC 4648 §5, as JWS uses it, RFC 7515 §2) and standard base64 with
// padding (RFC 4648 §4, credential envelopes), both decoded strictly.
#pragma once

#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::commands {

// Bytes in, URL alphabet out, no '=' padding.
std::string base64url_encode(std::string_view bytes);

// Strict: only A-Z a-z 0-9 - _, no padding, no whitespace, a length that is not 1 mod 4, and
// zero bits after the last full byte. So every byte string has exactly one accepted encoding
// and decode(text) succeeds only when encode(decode(text)) == text. Errors (cmd.malformed) say
// what is wrong and at which offset, without echoing the input.
Expected<std::string> base64url_decode(std::string_view text);

// Standard base64: A-Z a-z 0-9 + /, padded with '=' to a multiple of 4, no line breaks.
std::string base64_encode(std::string_view bytes);

// As strict as base64url_decode: only the alphabet, exactly the padding the length needs, no
// whitespace, zero bits after the last byte; one accepted text per byte string.
Expected<std::string> base64_decode(std::string_view text);

}  // namespace lintel::commands
