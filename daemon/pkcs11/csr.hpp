// Certificate signing requests for the gateway: a key (file or token) and the gateway id in,
// a PEM PKCS#10 request out. The renewal and claim flows call this.
#pragma once

#include <string>
#include <string_view>

#include "lintel/error.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace lintel::pkcs11 {

// subject CN = gateway_id, the key's public half, signed by the key itself (SHA-256; ECDSA or
// RSA PKCS#1 v1.5), so a token key signs inside the token. pkcs11.csr on failure.
Expected<std::string> make_csr_pem(evp_pkey_st* key, std::string_view gateway_id);

}  // namespace lintel::pkcs11
