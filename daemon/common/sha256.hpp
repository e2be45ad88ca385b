// SHA-256 as sha256sum prints it, of a byte string or streamed in pieces (artifacts of any
// size); OpenSSL stays behind this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::common {

// Error code when OpenSSL itself fails (out of memory, a broken provider); nothing else fails.
inline constexpr std::string_view k_sha256_failed = "common.sha256_failed";

// 64 lower-case hex digits.
Expected<std::string> sha256_hex(std::string_view data);

// Incremental SHA-256: update() any number of times, then finish_hex() once.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // The digest of everything passed to update(); the first OpenSSL failure, if any.
    Expected<std::string> finish_hex();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace lintel::common
