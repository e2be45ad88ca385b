// DeviceIdentity from a PKCS#11 token: the key is opened by daemon/pkcs11; everything else is
// the same assembly as for a key file. Its own file so that lintel-sign and the fuzzer, which
// only use from_pem, do not pull the PKCS#11 code in.
#include <openssl/evp.h>

#include "commands/key_files.hpp"
#include "credentials/device_identity.hpp"
#include "credentials/device_identity_impl.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {

Expected<DeviceIdentity> DeviceIdentity::from_token(const std::filesystem::path& cert,
                                                    std::string_view key_uri,
                                                    const pkcs11::TokenSettings& token) {
    auto cert_text = commands::read_public_file(cert, "certificate");
    if (!cert_text) return std::unexpected(cert_text.error());
    auto key = pkcs11::open_private_key(key_uri, token);
    if (!key) return std::unexpected(key.error());
    if (EVP_PKEY_up_ref(key->native()) != 1)
        return make_error(std::string(error::identity), "cannot reference the token key");
    auto identity = assemble_device_identity(*cert_text, commands::ossl::PkeyPtr(key->native()));
    if (!identity) {
        return make_error(identity.error().code, "device identity (" + cert.string() + ", " +
                                                     std::string(key_uri) +
                                                     "): " + identity.error().message);
    }
    return identity;
}

}  // namespace lintel::credentials
