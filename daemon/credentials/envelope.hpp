// Encrypted delivery of a credential bundle: CMS AuthEnvelopedData (RFC 5083, AES-256-GCM) to one
// gateway's certificate, carried as base64 of the DER. The cloud (lintel-sign credentials)
// encrypts; the gateway decrypts with its own key, checks the profile, parses the bundle and
// checks that the bundle names it. Wire format and codes: docs/credentials.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "credentials/bundle.hpp"
#include "credentials/device_identity.hpp"
#include "credentials/secret.hpp"
#include "lintel/error.hpp"

namespace lintel::credentials {

// The base64 text of one envelope. A 64 KiB bundle makes about 87 KiB, and the envelope must
// still fit a signed command (128 KiB after the JWS's own base64url).
inline constexpr std::size_t k_max_envelope_bytes = 90 * 1024;

// Encrypts `plaintext` to the certificate in `recipient_cert_pem` (its first certificate; EC
// P-256 or RSA >= 2048): a fresh AES-256-GCM key and 12-byte nonce; the key transported by
// RSA-OAEP (SHA-256, MGF1-SHA-256) or agreed by ephemeral-static ECDH (X9.63 KDF with SHA-256,
// AES-256 key wrap). Returns standard base64 (padded, one line). Errors: cred.identity (the
// certificate), cred.key_unsupported, cred.crypto.
Expected<std::string> encrypt_envelope(const Secret& plaintext,
                                       std::string_view recipient_cert_pem);

// Opens an envelope addressed to `identity`. Errors, in the order they are checked:
//   cred.too_large     more than k_max_envelope_bytes
//   cred.malformed     not strict base64, not DER, not the profile's structure
//   cred.unsupported   an algorithm outside the profile (envelope_profile.hpp)
//   cred.not_for_us    no recipient is this gateway's certificate (issuer and serial number)
//   cred.tampered      the key or the content does not decrypt and authenticate
Expected<Secret> decrypt_envelope(std::string_view text, const DeviceIdentity& identity);

// What the gateway does with a delivered envelope: decrypt_envelope, parse_bundle, then
// check_bundle against identity.gateway_id() and `now_ms` (cred.wrong_gateway, cred.expired,
// cred.cert_expired). No message quotes a secret.
Expected<Bundle> open_bundle(std::string_view text, const DeviceIdentity& identity,
                             std::int64_t now_ms);

// What lintel-sign does: bundle_json, then encrypt_envelope.
Expected<std::string> encrypt_bundle(const Bundle& bundle, std::string_view recipient_cert_pem);

}  // namespace lintel::credentials
