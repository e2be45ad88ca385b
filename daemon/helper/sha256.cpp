// sha256_hex through OpenSSL's EVP interface.
#include "helper/sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "common/hex.hpp"
#include "helper/protocol.hpp"

namespace lintel::helper {

Expected<std::string> sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        return make_error(std::string(codes::internal), "OpenSSL could not compute a SHA-256");
    }
    return common::hex_lower(digest.data(), size);
}

}  // namespace lintel::helper
