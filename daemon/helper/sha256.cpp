// Sha256 and sha256_hex through OpenSSL's EVP interface.
#include "helper/sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

std::unexpected<Error> openssl_failed() {
    return make_error(std::string(codes::internal), "OpenSSL could not compute a SHA-256");
}

}  // namespace

struct Sha256::State {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
    ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : state_(std::make_unique<State>()) {}
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
    if (state_->ok && EVP_DigestUpdate(state_->ctx, data.data(), data.size()) != 1) {
        state_->ok = false;
    }
}

Expected<std::string> Sha256::finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (!state_->ok || EVP_DigestFinal_ex(state_->ctx, digest.data(), &size) != 1) {
        state_->ok = false;
        return openssl_failed();
    }
    state_->ok = false;  // finished: a second finish() is an error, not a digest of nothing
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) {
        out += k_digits[digest[i] >> 4];
        out += k_digits[digest[i] & 0x0f];
    }
    return out;
}

Expected<std::string> sha256_hex(std::string_view data) {
    Sha256 hash;
    hash.update(data);
    return hash.finish();
}

}  // namespace lintel::helper
