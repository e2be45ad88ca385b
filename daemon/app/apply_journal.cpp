// The pending apply-config record as a small JSON document.
#include "app/apply_journal.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"

namespace lintel::app {

using json = nlohmann::json;

Expected<void> ApplyJournal::record(const PendingApply& p) const {
    const json doc{{"v", 1},
                   {"command_id", p.command_id},
                   {"kid", p.kid},
                   {"principal", p.principal},
                   {"file", p.file},
                   {"previous", p.previous ? json(*p.previous) : json(nullptr)},
                   {"started_ms", p.started_ms},
                   {"deadline_ms", p.deadline_ms}};
    return common::write_file_atomically(path_, doc.dump(), 0600);
}

Expected<std::optional<PendingApply>> ApplyJournal::read() const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(path_, ec)) return std::optional<PendingApply>{};
        return make_error("apply_journal.unreadable", "cannot read " + path_.string());
    }
    std::ostringstream text;
    text << in.rdbuf();
    const json doc = json::parse(text.str(), nullptr, false);
    auto str = [&](const char* key) -> std::optional<std::string> {
        if (!doc.is_object() || !doc.contains(key) || !doc[key].is_string()) return std::nullopt;
        return doc[key].get<std::string>();
    };
    auto num = [&](const char* key) -> std::optional<std::int64_t> {
        if (!doc.is_object() || !doc.contains(key) || !doc[key].is_number_integer())
            return std::nullopt;
        return doc[key].get<std::int64_t>();
    };
    PendingApply p;
    auto id = str("command_id"), kid = str("kid"), principal = str("principal"), file = str("file");
    auto started = num("started_ms"), deadline = num("deadline_ms");
    const bool previous_ok = doc.is_object() && doc.contains("previous") &&
                             (doc["previous"].is_string() || doc["previous"].is_null());
    if (!id || !kid || !principal || !file || !started || !deadline || !previous_ok) {
        return make_error("apply_journal.corrupt",
                          path_.string() + " is not a pending apply-config record");
    }
    p.command_id = *id;
    p.kid = *kid;
    p.principal = *principal;
    p.file = *file;
    if (doc["previous"].is_string()) p.previous = doc["previous"].get<std::string>();
    p.started_ms = *started;
    p.deadline_ms = *deadline;
    return std::optional<PendingApply>{std::move(p)};
}

Expected<void> ApplyJournal::clear() const {
    auto removed = common::remove_file_durably(path_);
    if (!removed) return std::unexpected(removed.error());
    return {};
}

}  // namespace lintel::app
