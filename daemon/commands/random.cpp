// RAND_bytes behind random.hpp.
#include "commands/random.hpp"

#include <climits>
#include <vector>

#include <openssl/rand.h>

#include "commands/openssl_support.hpp"
#include "commands/reason_codes.hpp"
#include "common/hex.hpp"

namespace lintel::commands {

Expected<std::string> random_hex(std::size_t bytes) {
    if (bytes > 4096)
        return make_error(std::string(error::bad_input), "too many random bytes asked for");
    std::vector<unsigned char> buffer(bytes);
    if (bytes > 0 && RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
        return ossl::failure(error::crypto, "the random generator failed");
    }
    return common::to_hex(buffer.data(), buffer.size());
}

}  // namespace lintel::commands
