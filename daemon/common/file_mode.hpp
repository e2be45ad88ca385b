// A file mode as ls and chmod spell it ("0640"), for messages about insecure files. Header-only.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

namespace lintel::common {

inline std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

}  // namespace lintel::common
