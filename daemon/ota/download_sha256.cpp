// Sha256 through OpenSSL's EVP interface.
#include "ota/download_sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "common/hex.hpp"

namespace lintel::ota {
namespace {
EVP_MD_CTX* as_ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { reset(); }

Sha256::~Sha256() { EVP_MD_CTX_free(as_ctx(ctx_)); }

void Sha256::reset() {
    failed_ = ctx_ == nullptr || EVP_DigestInit_ex(as_ctx(ctx_), EVP_sha256(), nullptr) != 1;
}

void Sha256::update(const void* data, std::size_t size) {
    if (failed_ || size == 0) return;
    failed_ = EVP_DigestUpdate(as_ctx(ctx_), data, size) != 1;
}

std::string Sha256::hex_digest() const {
    if (failed_) return {};
    // Finalise a copy, so that the running digest can go on.
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    const bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, as_ctx(ctx_)) == 1 &&
                    EVP_DigestFinal_ex(copy, digest.data(), &size) == 1;
    EVP_MD_CTX_free(copy);
    if (!ok) return {};
    return common::hex_lower(digest.data(), size);
}

}  // namespace lintel::ota
