// Every stable error code of the pkcs11 module (docs/pkcs11.md has a line for each).
#pragma once

#include <array>
#include <string_view>

namespace lintel::pkcs11::error {

inline constexpr std::string_view uri = "pkcs11.uri";            // not a usable pkcs11: URI
inline constexpr std::string_view module = "pkcs11.module";      // module missing / not PKCS#11
inline constexpr std::string_view pin_file = "pkcs11.pin_file";  // PIN file missing, open, empty
inline constexpr std::string_view pin = "pkcs11.pin";            // the token rejected the PIN
inline constexpr std::string_view pin_locked = "pkcs11.pin_locked";  // too many wrong PINs
inline constexpr std::string_view no_token = "pkcs11.no_token";      // no token matches the URI
inline constexpr std::string_view no_key = "pkcs11.no_key";          // no private key matches
inline constexpr std::string_view ambiguous = "pkcs11.ambiguous";    // several keys match
inline constexpr std::string_view key_exists = "pkcs11.key_exists";  // generate: label taken
inline constexpr std::string_view token = "pkcs11.token";            // another PKCS#11 failure
inline constexpr std::string_view engine = "pkcs11.engine";  // OpenSSL's pkcs11 engine failed

inline constexpr std::array all{uri,    module,    pin_file,   pin,   pin_locked, no_token,
                                no_key, ambiguous, key_exists, token, engine};

}  // namespace lintel::pkcs11::error
