// Wiping memory and comparing secrets (see secret.hpp).
#include "credentials/secret.hpp"

#include <string.h>  // explicit_bzero

namespace lintel::credentials {

void wipe(void* data, std::size_t size) noexcept {
    if (data != nullptr && size > 0) explicit_bzero(data, size);
}

bool operator==(const Secret& a, const Secret& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    const std::string_view x = a.reveal();
    const std::string_view y = b.reveal();
    for (std::size_t i = 0; i < x.size(); ++i) {
        diff = static_cast<unsigned char>(diff | (x[i] ^ y[i]));
    }
    return diff == 0;
}

}  // namespace lintel::credentials
