// An incremental SHA-256 of the bytes downloaded so far; OpenSSL stays behind this header.
#pragma once

#include <cstddef>
#include <string>

namespace lintel::ota {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    // Starts again from no bytes (a restart from 0).
    void reset();
    // 64 lower-case hex digits of what was fed since the last reset; "" if OpenSSL failed.
    std::string hex_digest() const;

private:
    void* ctx_;  // EVP_MD_CTX*
    bool failed_ = false;
};

}  // namespace lintel::ota
