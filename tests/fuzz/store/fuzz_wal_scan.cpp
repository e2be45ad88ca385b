// libFuzzer target: arbitrary bytes as an SQLite -wal file must scan to counts that add up,
// never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "store/wal_scan.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto scan = lintel::store::scan_wal(std::span(data, size));
    if (scan.valid_frames > scan.frames || scan.valid_commits > scan.valid_frames ||
        (!scan.header_valid && scan.frames != 0))
        std::abort();
    return 0;
}
