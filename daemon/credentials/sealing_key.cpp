// OpenSSL behind sealing_key.hpp: the device sealing key from a file (made at first start), or
// the key of a device identity.
#include "credentials/sealing_key.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "commands/key_files.hpp"
#include "commands/keys.hpp"
#include "common/atomic_file.hpp"
#include "credentials/device_identity_impl.hpp"
#include "credentials/reason_codes.hpp"
#include "credentials/sealing_key_impl.hpp"

namespace lintel::credentials {
namespace {

namespace ossl = commands::ossl;

int no_passphrase(char*, int, int, void*) { return -1; }

Expected<std::string> spki_der(EVP_PKEY* key) {
    const int size = i2d_PUBKEY(key, nullptr);
    if (size <= 0)
        return ossl::failure(error::crypto, "cannot encode the sealing key's public key");
    std::string der(static_cast<std::size_t>(size), '\0');
    auto* out = reinterpret_cast<unsigned char*>(der.data());
    if (i2d_PUBKEY(key, &out) != size) {
        return ossl::failure(error::crypto, "cannot encode the sealing key's public key");
    }
    return der;
}

// A new P-256 key as unencrypted PKCS #8 PEM, only ever in wiped memory.
Expected<Secret> new_p256_pem() {
    ossl::PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return ossl::failure(error::crypto, "cannot generate a P-256 sealing key");
    ossl::BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr) != 1) {
        return ossl::failure(error::crypto, "cannot encode the new sealing key");
    }
    char* data = nullptr;
    const long size = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (size <= 0 || data == nullptr) {
        return ossl::failure(error::crypto, "cannot encode the new sealing key");
    }
    return Secret(std::string_view(data, static_cast<std::size_t>(size)));
}

Expected<SealingKey> with_location(Expected<SealingKey> key, const std::string& where) {
    if (!key) return make_error(key.error().code, where + ": " + key.error().message);
    return key;
}

}  // namespace

Expected<ossl::PkeyPtr> public_half(EVP_PKEY* key) {
    auto der = spki_der(key);
    if (!der) return std::unexpected(der.error());
    const auto* in = reinterpret_cast<const unsigned char*>(der->data());
    ossl::PkeyPtr pub(d2i_PUBKEY(nullptr, &in, static_cast<long>(der->size())));
    if (!pub) return ossl::failure(error::crypto, "cannot decode the sealing key's public key");
    return pub;
}

Expected<SealingKey> assemble_sealing_key(ossl::PkeyPtr key, ossl::PkeyPtr public_key,
                                          std::string location) {
    auto impl = std::make_shared<SealingKey::Impl>();
    auto type = classify_device_key(public_key.get());
    if (!type) return std::unexpected(type.error());
    auto der = spki_der(public_key.get());
    if (!der) return std::unexpected(der.error());
    auto pub = commands::PublicKey::from_spki_der(*der);
    if (!pub) return make_error(std::string(error::key_unsupported), pub.error().message);
    impl->type = *type;
    impl->fingerprint = pub->fingerprint();
    impl->key = std::move(key);
    impl->public_key = std::move(public_key);
    impl->location = std::move(location);
    return SealingKey::adopt(std::move(impl));
}

static Expected<SealingKey> key_from_pem(const Secret& key_pem, std::string location) {
    const std::string_view text = key_pem.reveal();
    if (text.find("ENCRYPTED") != std::string_view::npos) {
        ERR_clear_error();
        return make_error(std::string(error::identity),
                          "the sealing key is encrypted; a daemon cannot type its passphrase");
    }
    auto bio = ossl::memory_bio(text);
    if (!bio) return std::unexpected(bio.error());
    ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        ERR_clear_error();
        return make_error(std::string(error::identity), "not a PEM private key");
    }
    auto pub = public_half(key.get());
    if (!pub) return std::unexpected(pub.error());
    return assemble_sealing_key(std::move(key), std::move(*pub), std::move(location));
}

Expected<SealingKey> SealingKey::from_pem(const Secret& key_pem) {
    return key_from_pem(key_pem, "memory");
}

Expected<SealingKey> SealingKey::open_or_create(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) {
            return make_error(std::string(error::io),
                              "cannot stat " + path.string() + ": " + std::strerror(errno));
        }
        // First start (or first with this lintel): a key of the device's own. Written atomically,
        // so a crash leaves no half key that would make the sealed files unreadable.
        auto pem = new_p256_pem();
        if (!pem) return std::unexpected(pem.error());
        if (auto ok = common::write_file_atomically(path, pem->reveal(), 0600); !ok) {
            return make_error(std::string(error::io), ok.error().message);
        }
    }
    auto text = commands::read_private_file(path, "credential sealing key");
    if (!text) return std::unexpected(text.error());
    return with_location(key_from_pem(Secret(text->view()), path.string()), path.string());
}

Expected<SealingKey> SealingKey::of(const DeviceIdentity& identity) {
    const DeviceIdentity::Impl& id = identity.impl();
    if (EVP_PKEY_up_ref(id.key.get()) != 1) {
        return ossl::failure(error::crypto, "cannot reference the device key");
    }
    ossl::PkeyPtr key(id.key.get());
    auto pub = public_half(X509_get0_pubkey(id.cert.get()));
    if (!pub) return std::unexpected(pub.error());
    return assemble_sealing_key(std::move(key), std::move(*pub),
                                "the device key of \"" + id.gateway_id + "\"");
}

SealingKey SealingKey::adopt(std::shared_ptr<const Impl> impl) {
    return SealingKey(std::move(impl));
}

DeviceKeyType SealingKey::type() const { return impl_->type; }
const std::string& SealingKey::fingerprint() const { return impl_->fingerprint; }
const std::string& SealingKey::location() const { return impl_->location; }

}  // namespace lintel::credentials
