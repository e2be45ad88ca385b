// Sealing a secret to the device sealing key for storage at rest: only the holder of that
// private key opens it, any change to the sealed bytes is detected, and a file sealed for one
// purpose does not open as another. The format and the reasons for it: docs/credentials.md.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "credentials/sealing_key.hpp"
#include "credentials/secret.hpp"
#include "lintel/error.hpp"

namespace lintel::credentials {

// A sealed blob: header (magic, format, key encapsulation, purpose, sealing key fingerprint, the
// encapsulated key, nonce), AES-256-GCM ciphertext, 16-byte tag.
inline constexpr std::size_t k_max_sealed_bytes = 80 * 1024;

// Seals `plaintext` (at most k_max_sealed_bytes minus the header) for `purpose` (1-64 printable
// ASCII characters, part of the authenticated header): a fresh data key per call, agreed with the
// sealing key by ephemeral-static ECDH (P-256) or wrapped with RSA-OAEP-SHA256 (RSA), expanded
// with HKDF-SHA256 over the header, and a random 12-byte nonce. Errors: cred.key_unsupported,
// cred.crypto.
Expected<std::string> seal(const Secret& plaintext, std::string_view purpose,
                           const SealingKey& sealing_key);

// Opens what seal made. Errors: cred.sealed_wrong_key (sealed for another key: its
// fingerprint is named), cred.sealed_corrupt (anything else: a truncated or changed file, another
// purpose, a failed authentication).
Expected<Secret> unseal(std::string_view sealed, std::string_view purpose,
                        const SealingKey& sealing_key);

}  // namespace lintel::credentials
