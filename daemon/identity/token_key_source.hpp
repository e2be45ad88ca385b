// The uplink identity's key in a PKCS#11 token (docs/pkcs11.md): a renewal generates the new key in
// the same token as the factory key, non-extractable, and the identity directory keeps only its
// pkcs11: URI where a file source keeps the PEM key.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "identity/key_source.hpp"
#include "lintel/error.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::identity {

// `factory_key_uri` is uplink.tls.key_file (a pkcs11: key URI): new keys go into the token it
// names (its token, serial, manufacturer and model attributes).
Expected<std::unique_ptr<KeySource>> make_token_key_source(std::string_view factory_key_uri,
                                                           pkcs11::TokenSettings token);

// The key URI a token source wrote at `where` (checked: a pkcs11: URI naming one private key).
Expected<std::string> read_key_uri(const std::filesystem::path& where);

}  // namespace lintel::identity
