// Wall-clock helper for stamping values.
#include <chrono>

#include "lintel/point.hpp"

namespace lintel::sdk {

std::int64_t now_unix_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace lintel::sdk
