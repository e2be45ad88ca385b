// Where the uplink identity's private key lives. The file-backed source is the default; a token
// (PKCS#11) source can implement the same three operations later without touching the lifecycle.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

// OpenSSL's own forward declaration, so callers need not include OpenSSL.
typedef struct evp_pkey_st EVP_PKEY;  // NOLINT(modernize-use-using)

namespace lintel::identity {

struct PkeyFree {
    void operator()(EVP_PKEY* key) const;
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

class KeySource {
public:
    virtual ~KeySource() = default;
    // Makes a new P-256 key at `where` (for files: the PEM key, mode 0600; it never leaves the
    // gateway). Refuses (cert.key_failed) when something is already there.
    virtual Expected<void> generate(const std::filesystem::path& where) = 0;
    // The key at `where` as an EVP_PKEY (for files: refused unless mode 0600).
    virtual Expected<Pkey> load(const std::filesystem::path& where) = 0;
    // A PEM CSR ("CERTIFICATE REQUEST") with subject CN = `common_name`, signed by `key`.
    virtual Expected<std::string> sign_csr(EVP_PKEY& key, std::string_view common_name) = 0;
};

// PEM files under the identity directory.
std::unique_ptr<KeySource> make_file_key_source();

// The CSR any EVP_PKEY signs (the file source uses it; a token source may too).
Expected<std::string> make_csr_pem(EVP_PKEY& key, std::string_view common_name);

// True when `key` holds the private half of `certificate_pem`'s public key.
Expected<bool> key_matches_certificate(EVP_PKEY& key, std::string_view certificate_pem);

}  // namespace lintel::identity
