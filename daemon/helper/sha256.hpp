// SHA-256 as sha256sum prints it, of a byte string or of a stream fed piece by piece; OpenSSL
// stays behind this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

namespace lintel::helper {

// 64 lower-case hex digits. Errors (helper.internal) only if OpenSSL itself fails.
Expected<std::string> sha256_hex(std::string_view data);

// For data too large to hold at once (OTA artifacts): update() as it is read, then finish().
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // The digest as sha256_hex gives it; once only. helper.internal if OpenSSL failed anywhere.
    Expected<std::string> finish();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace lintel::helper
