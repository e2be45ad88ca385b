// OpenSSL behind device_identity.hpp: loading the gateway's certificate and key.
#include "credentials/device_identity.hpp"

#include <array>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "commands/certificate.hpp"
#include "commands/key_files.hpp"
#include "credentials/device_identity_impl.hpp"
#include "credentials/reason_codes.hpp"

namespace lintel::credentials {
namespace {

namespace ossl = commands::ossl;

std::unexpected<Error> unusable(std::string what) {
    ERR_clear_error();
    return make_error(std::string(error::identity), std::move(what));
}

int no_passphrase(char*, int, int, void*) { return -1; }

}  // namespace

Expected<DeviceKeyType> classify_device_key(EVP_PKEY* key) {
    if (EVP_PKEY_is_a(key, "RSA")) {
        if (EVP_PKEY_get_bits(key) < 2048) {
            return make_error(std::string(error::key_unsupported),
                              "the key is a " + std::to_string(EVP_PKEY_get_bits(key)) +
                                  "-bit RSA key; at least 2048 bits are needed");
        }
        return DeviceKeyType::rsa;
    }
    if (EVP_PKEY_is_a(key, "EC")) {
        std::array<char, 64> group{};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &length) == 1) {
            const std::string_view name(group.data(), length);
            if (name == "prime256v1" || name == "P-256") return DeviceKeyType::p256;
        }
        ERR_clear_error();
        return make_error(std::string(error::key_unsupported),
                          "the key is an EC key not on P-256; credentials need EC P-256 or RSA "
                          ">= 2048");
    }
    const char* name = EVP_PKEY_get0_type_name(key);
    return make_error(std::string(error::key_unsupported),
                      "the key is a " + std::string(name != nullptr ? name : "unknown") +
                          " key; CMS envelopes and sealing need EC P-256 or RSA >= 2048");
}

Expected<DeviceIdentity> DeviceIdentity::from_files(const std::filesystem::path& cert,
                                                    const std::filesystem::path& key) {
    auto cert_text = commands::read_public_file(cert, "certificate");
    if (!cert_text) return std::unexpected(cert_text.error());
    auto key_text = commands::read_private_file(key);
    if (!key_text) return std::unexpected(key_text.error());
    auto identity = from_pem(*cert_text, Secret(key_text->view()));
    if (!identity) {
        return make_error(identity.error().code, "device identity (" + cert.string() + ", " +
                                                     key.string() +
                                                     "): " + identity.error().message);
    }
    return identity;
}

Expected<DeviceIdentity> DeviceIdentity::from_pem(std::string_view cert_pem,
                                                  const Secret& key_pem) {
    const std::string_view key_text = key_pem.reveal();
    if (key_text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
        key_text.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
        return unusable("the device key is encrypted; a daemon cannot type its passphrase");
    }
    auto key_bio = ossl::memory_bio(key_text);
    if (!key_bio) return std::unexpected(key_bio.error());
    ossl::PkeyPtr key(PEM_read_bio_PrivateKey(key_bio->get(), nullptr, no_passphrase, nullptr));
    if (!key) return unusable("the device key is not a PEM private key");
    return assemble_device_identity(cert_pem, std::move(key));
}

Expected<DeviceIdentity> assemble_device_identity(std::string_view cert_pem,
                                                  commands::ossl::PkeyPtr key) {
    auto impl = std::make_shared<DeviceIdentity::Impl>();
    impl->key = std::move(key);
    auto type = classify_device_key(impl->key.get());
    if (!type) return std::unexpected(type.error());
    impl->type = *type;

    auto certificate = commands::Certificate::from_pem(cert_pem);
    if (!certificate) return unusable("the device certificate: " + certificate.error().message);
    auto cn = certificate->common_name();
    if (!cn) return unusable(cn.error().message);
    impl->gateway_id = std::move(*cn);
    impl->fingerprint = certificate->public_key().fingerprint();
    auto cert_bio = ossl::memory_bio(cert_pem);
    if (!cert_bio) return std::unexpected(cert_bio.error());
    impl->cert.reset(PEM_read_bio_X509(cert_bio->get(), nullptr, nullptr, nullptr));
    if (!impl->cert) return unusable("the device certificate is not a PEM certificate");
    if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
        return unusable("the device key does not belong to the certificate of \"" +
                        impl->gateway_id + "\"");
    }
    return DeviceIdentity::adopt(std::move(impl));
}

DeviceIdentity DeviceIdentity::adopt(std::shared_ptr<const Impl> impl) {
    return DeviceIdentity(std::move(impl));
}

const std::string& DeviceIdentity::gateway_id() const { return impl_->gateway_id; }
DeviceKeyType DeviceIdentity::key_type() const { return impl_->type; }
const std::string& DeviceIdentity::key_fingerprint() const { return impl_->fingerprint; }

}  // namespace lintel::credentials
