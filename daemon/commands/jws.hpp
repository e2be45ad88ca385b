// JWS compact serialization (RFC 7515 §7.1) as lintel uses it: a protected header of exactly
// alg, kid and typ; keys only from the receiver's trust store, never from the message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::commands {

// What a JWS carries, fixed by its "typ": commands (cloud -> gateway), results (back), or OTA
// release manifests (signed by a release key, see docs/ota.md). A JWS of one type is never
// accepted as another.
enum class JwsType { command, result, manifest };

inline constexpr std::string_view k_command_typ = "lintel-cmd+jws";
inline constexpr std::string_view k_result_typ = "lintel-result+jws";
inline constexpr std::string_view k_manifest_typ = "lintel-manifest+jws";
std::string_view typ_of(JwsType type);

// Default bound on the whole JWS text; callers pass their own (config) where they have one.
inline constexpr std::size_t k_default_max_bytes = 16 * 1024;

// Commands and manifests accept EdDSA and ES256; results also RS256 (gateways with RSA TLS keys).
bool alg_allowed(JwsType type, JwsAlg alg);

struct Jws {
    JwsType type = JwsType::command;
    JwsAlg alg = JwsAlg::eddsa;
    std::string kid;
    nlohmann::json header;      // the protected header as parsed: exactly alg, kid, typ
    std::string signing_input;  // the exact ASCII bytes BASE64URL(header) "." BASE64URL(payload)
    std::size_t header_b64_size = 0;  // signing_input[0, header_b64_size) is the header part
    std::string payload;              // decoded payload bytes (not yet parsed)
    std::string signature;            // decoded signature bytes (JOSE form)

    std::string_view header_b64() const {
        return std::string_view(signing_input).substr(0, header_b64_size);
    }
    std::string_view payload_b64() const {
        return std::string_view(signing_input).substr(header_b64_size + 1);
    }
};

// Splits and decodes `text`, checking in this order:
//   cmd.too_large        text longer than max_bytes (nothing else is looked at)
//   cmd.malformed        not three non-empty '.'-separated strict base64url parts; header not
//                        a JSON object (strict: no duplicates); alg missing or not a string
//   cmd.unsupported_alg  alg not allowed for `type` ("none", "HS256", RS256 for commands...)
//   cmd.malformed        a header member other than alg, kid, typ (jwk, jku, x5u, x5c, crit,
//                        b64...); kid not 1-64 of A-Z a-z 0-9 . _ -; typ not typ_of(type)
// The payload is not parsed here (see envelope.hpp, result.hpp), nor the signature checked.
Expected<Jws> parse_jws(std::string_view text, JwsType type,
                        std::size_t max_bytes = k_default_max_bytes);

// key.verify(signing_input, signature, alg): cmd.unsupported_alg when the key's type does not
// match alg, cmd.bad_signature otherwise; the message names the kid.
Expected<void> verify_jws(const Jws& jws, const PublicKey& key);

// The compact JWS of `payload` with header {"alg":<key's alg>,"kid":kid,"typ":typ_of(type)}.
// Refuses (commands.bad_input) a kid parse_jws would refuse and a key whose alg `type` does
// not allow, so nothing is signed that a receiver must refuse.
Expected<std::string> make_jws(JwsType type, std::string_view kid, std::string_view payload,
                               const PrivateKey& key);

// Signs any header text as-is: for tests and tools that need a JWS parse_jws refuses.
Expected<std::string> sign_compact(std::string_view header_json, std::string_view payload,
                                   const PrivateKey& key);

}  // namespace lintel::commands
