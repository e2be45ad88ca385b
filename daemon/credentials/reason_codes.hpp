// Every stable code of the credentials module: refusals of a delivered bundle (they go into the
// set-credentials result and the audit log) and local errors of the sealed store.
#pragma once

#include <array>
#include <string_view>

namespace lintel::credentials {

// Wire reasons (docs/credentials.md has a line for each). The cloud branches on them: never change
// the meaning of one, only add.
namespace reason {
inline constexpr std::string_view malformed = "cred.malformed";  // envelope or bundle syntax
inline constexpr std::string_view too_large = "cred.too_large";  // over a size bound
inline constexpr std::string_view unsupported =
    "cred.unsupported";                                            // algorithm outside the profile
inline constexpr std::string_view not_for_us = "cred.not_for_us";  // no recipient is our cert
inline constexpr std::string_view tampered = "cred.tampered";      // authentication failed
inline constexpr std::string_view wrong_gateway = "cred.wrong_gateway";  // bundle names another id
inline constexpr std::string_view expired = "cred.expired";              // bundle past expires_at
inline constexpr std::string_view cert_expired =
    "cred.cert_expired";  // client cert outside validity

inline constexpr std::array all{malformed, too_large,     unsupported, not_for_us,
                                tampered,  wrong_gateway, expired,     cert_expired};
}  // namespace reason

// Local errors: the device identity and the sealed store. They never go on the wire as such.
namespace error {
inline constexpr std::string_view key_unsupported = "cred.key_unsupported";  // cannot seal with it
inline constexpr std::string_view identity = "cred.identity";  // device cert/key unusable
inline constexpr std::string_view sealed_corrupt = "cred.sealed_corrupt";      // modified/damaged
inline constexpr std::string_view sealed_wrong_key = "cred.sealed_wrong_key";  // another device key
inline constexpr std::string_view store_insecure = "cred.store_insecure";      // modes too open
inline constexpr std::string_view io = "cred.io";
inline constexpr std::string_view crypto = "cred.crypto";  // OpenSSL failed unexpectedly

inline constexpr std::array all{key_unsupported, identity, sealed_corrupt, sealed_wrong_key,
                                store_insecure,  io,       crypto};
}  // namespace error

// Outcomes of applying a bundle (set-credentials; wire reasons like those above).
namespace apply {
inline constexpr std::string_view disabled = "cred.disabled";          // no credentials: section
inline constexpr std::string_view no_interface = "cred.no_interface";  // its type is not managed
inline constexpr std::string_view busy = "cred.busy";  // another set-credentials is under way
inline constexpr std::string_view apply_failed =
    "cred.apply_failed";  // not written or not reloaded: nothing changed
inline constexpr std::string_view rolled_back =
    "cred.rolled_back";  // did not authorize; the previous credentials are back, authorized
inline constexpr std::string_view rollback_failed =
    "cred.rollback_failed";  // did not authorize, and the previous ones did not come back

inline constexpr std::array all{disabled,     no_interface, busy,
                                apply_failed, rolled_back,  rollback_failed};
}  // namespace apply

}  // namespace lintel::credentials
