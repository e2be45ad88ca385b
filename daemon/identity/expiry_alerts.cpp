// Expiry warning bookkeeping: pure threshold logic and its small JSON record.
#include "identity/expiry_alerts.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"

namespace lintel::identity {

std::vector<std::chrono::milliseconds> take_due_thresholds(
    std::int64_t not_after_ms, std::int64_t now_ms,
    const std::vector<std::chrono::milliseconds>& thresholds, ExpiryRecord& record) {
    if (record.not_after_ms != not_after_ms) record = ExpiryRecord{not_after_ms, {}};
    std::vector<std::chrono::milliseconds> due;
    for (auto t : thresholds) {
        const bool fired = std::ranges::find(record.fired_ms, t.count()) != record.fired_ms.end();
        if (!fired && now_ms >= not_after_ms - t.count()) due.push_back(t);
    }
    std::ranges::sort(due);
    for (auto t : due) record.fired_ms.push_back(t.count());
    return due;
}

ExpiryRecord read_expiry_record(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) return {};
    std::stringstream text;
    text << in.rdbuf();
    auto j = nlohmann::json::parse(text.str(), nullptr, false);
    ExpiryRecord r;
    if (!j.is_object() || !j.contains("not_after") || !j["not_after"].is_number_integer() ||
        !j.contains("fired") || !j["fired"].is_array()) {
        return {};
    }
    r.not_after_ms = j["not_after"].get<std::int64_t>();
    for (const auto& f : j["fired"]) {
        if (f.is_number_integer()) r.fired_ms.push_back(f.get<std::int64_t>());
    }
    return r;
}

Expected<void> write_expiry_record(const std::filesystem::path& path, const ExpiryRecord& record) {
    nlohmann::ordered_json j;
    j["not_after"] = record.not_after_ms;
    j["fired"] = record.fired_ms;
    return common::write_file_atomically(path, j.dump() + "\n", 0600);
}

}  // namespace lintel::identity
