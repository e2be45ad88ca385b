// SHA-256 through OpenSSL's EVP interface (see sha256.hpp).
#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "common/hex.hpp"

namespace lintel::common {
namespace {

std::unexpected<Error> failed() {
    return make_error(std::string(k_sha256_failed), "OpenSSL could not compute a SHA-256");
}

}  // namespace

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
    bool ok = false;

    Impl() : ctx(EVP_MD_CTX_new()) {
        ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
    }
    ~Impl() { EVP_MD_CTX_free(ctx); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
    if (!impl_->ok || data.empty()) return;
    impl_->ok = EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1;
}

Expected<std::string> Sha256::finish_hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (!impl_->ok || EVP_DigestFinal_ex(impl_->ctx, digest.data(), &size) != 1) return failed();
    impl_->ok = false;  // finished: a second call is a failure, not the digest of nothing
    return to_hex(digest.data(), size);
}

Expected<std::string> sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        return failed();
    }
    return to_hex(digest.data(), size);
}

}  // namespace lintel::common
