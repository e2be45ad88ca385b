// The timestamp every lintel program puts at the start of a stderr log line.
#pragma once

#include <string>

namespace lintel::common {

// Now, as "2026-11-21T19:34:05.123Z" (UTC, milliseconds).
std::string timestamp_utc();

}  // namespace lintel::common
