// The device sealing key in a PKCS#11 token: found by its label, or generated there (never
// extractable) at first start. Its own file so that lintel-sign and the fuzzer do not pull the
// PKCS#11 code in.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "credentials/reason_codes.hpp"
#include "credentials/sealing_key.hpp"
#include "credentials/sealing_key_impl.hpp"
#include "pkcs11/reason_codes.hpp"
#include "pkcs11/uri.hpp"

namespace lintel::credentials {

Expected<SealingKey> SealingKey::open_or_create_in_token(std::string_view token_uri,
                                                         std::string_view label,
                                                         const pkcs11::TokenSettings& token) {
    auto parsed = pkcs11::parse_uri(token_uri);
    if (!parsed) return std::unexpected(parsed.error());
    pkcs11::Uri key_uri = pkcs11::token_part(*parsed);
    key_uri.object = std::string(label);
    key_uri.type = "private";
    const std::string uri = pkcs11::format_uri(key_uri);

    auto key = pkcs11::open_private_key(uri, token);
    if (!key && key.error().code == pkcs11::error::no_key) {
        // First start with this token: the key is made in it, so it never exists anywhere else.
        auto made = pkcs11::generate_p256_key(pkcs11::format_uri(pkcs11::token_part(*parsed)),
                                              label, token);
        if (!made) return std::unexpected(made.error());
        key = pkcs11::open_private_key(*made, token);
    }
    if (!key) return std::unexpected(key.error());
    if (EVP_PKEY_up_ref(key->native()) != 1) {
        return make_error(std::string(error::crypto), "cannot reference the token's sealing key");
    }
    commands::ossl::PkeyPtr owned(key->native());
    auto bio = commands::ossl::memory_bio(key->public_key_pem());
    if (!bio) return std::unexpected(bio.error());
    commands::ossl::PkeyPtr pub(PEM_read_bio_PUBKEY(bio->get(), nullptr, nullptr, nullptr));
    if (!pub)
        return commands::ossl::failure(error::crypto, "the token's sealing key has no public key");
    return assemble_sealing_key(std::move(owned), std::move(pub), uri);
}

}  // namespace lintel::credentials
