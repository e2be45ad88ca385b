// Which certificate-expiry warnings (e.g. 30d, 7d, 1d before notAfter) are due, each fired once
// per certificate, also across restarts (the record is kept in the identity directory).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::identity {

struct ExpiryRecord {
    std::int64_t not_after_ms = 0;       // the certificate the fired list is about
    std::vector<std::int64_t> fired_ms;  // thresholds already fired (ms before notAfter)
    bool operator==(const ExpiryRecord&) const = default;
};

// The thresholds due at `now_ms` and not fired yet for `not_after_ms`, most urgent first; a
// record about another certificate counts as empty. `record` is updated to include them.
std::vector<std::chrono::milliseconds> take_due_thresholds(
    std::int64_t not_after_ms, std::int64_t now_ms,
    const std::vector<std::chrono::milliseconds>& thresholds, ExpiryRecord& record);

// expiry.json; a missing or unreadable file is an empty record (worst case: a warning again).
ExpiryRecord read_expiry_record(const std::filesystem::path& path);
Expected<void> write_expiry_record(const std::filesystem::path& path, const ExpiryRecord& record);

}  // namespace lintel::identity
