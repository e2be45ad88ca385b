// Timed relinquishes that must survive a restart: a write to a point with `relinquish_after`
// leaves a value in the device's priority array that lintel promised to take back. The promise
// is a line in <state_dir>/<device>.relinquish, replaced atomically on every change, read at start.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "value.hpp"

namespace lintel::bacnet {

struct TimedRelinquish {
    std::string point;  // for logs; the slot is object + priority
    ObjectId object;
    std::uint8_t priority = 16;
    std::int64_t due_unix_ms = 0;
    bool operator==(const TimedRelinquish&) const = default;
};

struct RelinquishFile {
    // Which device the entries are for ("instance:1234", "address:192.0.2.10:47808"): after a
    // config change the same device name may point at another device, whose slots are not ours.
    std::string device_key;
    std::vector<TimedRelinquish> entries;
    std::vector<std::string> problems;  // lines that were skipped, and why
};

// The text form (version line, device line, one "relinquish" line per entry).
std::string encode_relinquish_file(std::string_view device_key,
                                   std::span<const TimedRelinquish> entries);
// Never fails: bad lines are skipped and named in `problems` (fuzzed).
RelinquishFile decode_relinquish_file(std::string_view text);

// <state_dir>/<device name>.relinquish (device names are safe file names, see lintel.yaml(5)).
std::filesystem::path relinquish_file_for(const std::filesystem::path& state_dir,
                                          std::string_view device_name);

// Load: a missing file is an empty list. Save: creates the directory (0750) if needed, replaces
// the file atomically (0640), removes it when no entry is left. Errors bacnet.state naming the
// path.
Expected<RelinquishFile> load_relinquish_file(const std::filesystem::path& file);
Expected<void> save_relinquish_file(const std::filesystem::path& file, std::string_view device_key,
                                    std::span<const TimedRelinquish> entries);

}  // namespace lintel::bacnet
