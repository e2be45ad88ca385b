// Benchmarks: the physical limit of the store — the same rows straight into SQLite, batched — and
// the realistic telemetry the store benchmarks feed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "lintel/point.hpp"

namespace lintel::bench {

// Realistic telemetry: 200 devices x 25 points, mostly doubles, some ints/bools, a few strings.
class PointFactory {
public:
    PointFactory();
    std::vector<sdk::PointValue> make(std::size_t count);

private:
    std::vector<std::string> devices_, points_;
    std::size_t n_ = 0;
};

// Points/s of a raw SQLite insert loop (WAL, synchronous=NORMAL, 5000 rows per transaction, the
// buffer's column layout) into a new database at `path`; 0 when SQLite failed. Time inside the
// transactions only (making the rows is not counted).
double raw_insert_rate(const std::filesystem::path& path, std::size_t count);

}  // namespace lintel::bench
