// Reads an SQLite -wal file the way SQLite's recovery does, to tell a damaged log (committed
// transactions SQLite will silently skip) from a merely unfinished last transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "lintel/error.hpp"

namespace lintel::store {

struct WalScan {
    std::uint64_t frames = 0;         // whole frames in the file (any generation)
    std::uint64_t valid_frames = 0;   // frames SQLite will replay: up to the last valid commit
    std::uint64_t valid_commits = 0;  // committed transactions among them
    // Commit frames of the current generation (the header's salts) after the first frame that
    // fails its checksum: transactions that were committed but will not be replayed.
    std::uint64_t lost_commits = 0;
    bool header_valid = false;  // false: SQLite ignores the whole file
};

// Pure: scans the bytes of a -wal file (empty or shorter than its header: nothing to replay).
WalScan scan_wal(std::span<const unsigned char> bytes);

// Reads `wal` (absent: an empty scan) and scans it. Errors: store.io (cannot read it).
Expected<WalScan> scan_wal_file(const std::filesystem::path& wal);

}  // namespace lintel::store
