// The one shape of CMS lintel opens for credential envelopes (docs/credentials.md), checked on the
// DER before OpenSSL sees it. OpenSSL ignores some fields that nothing authenticates (versions,
// the inner content type, the key-transport algorithm of RSA PKCS #1 v1.5) and accepts others in
// equivalent variants; pinning them here means a changed byte anywhere in an envelope addressed
// to one gateway is refused, not silently tolerated. Plain C++ (no OpenSSL), so it is fuzzed.
#pragma once

#include <cstddef>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::credentials {

inline constexpr std::size_t k_max_recipients = 8;

// Checks that `der` is exactly one DER ContentInfo of type id-ct-authEnvelopedData (RFC 5083):
// version 0; no originatorInfo, authAttrs or unauthAttrs; 1..k_max_recipients RecipientInfos,
// each either
//   ktri: version 0 with issuerAndSerialNumber or 2 with subjectKeyIdentifier; rsaEncryption
//         (parameters NULL) or id-RSAES-OAEP;
//   kari: version 3; the originator as an EC P-256 public key (uncompressed point); the key
//         derivation dhSinglePass-stdDH-sha{1,224,256,384,512}kdf-scheme with id-aes256-wrap;
// content of type id-data encrypted with aes256-GCM, a 12-byte nonce and a 16-byte tag.
// Every length is definite and minimal, nothing trails. Errors: cred.malformed (the structure,
// with its path: "recipientInfos[0].kari.version: must be 3, got 2") or cred.unsupported (an
// algorithm or choice outside the profile).
Expected<void> check_envelope_profile(std::string_view der);

}  // namespace lintel::credentials
