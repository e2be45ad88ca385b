// The OTA records in their own SQLite file (ota.db, beside the buffer): the one update in
// progress (or the last one) with its state, the history of every transition, the versions
// committed per component and the anti-rollback floors. synchronous=FULL: a state written
// before an install must survive the power cut that install may cause. Transitions are rare
// (a handful per update), so the OTA service writes on the loop.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "sqlite_db.hpp"

namespace lintel::store {

// The update in progress, or the last one. Text fields hold the OTA module's own names (state:
// "awaiting_health"); the store does not interpret them.
struct OtaUpdateRecord {
    std::string command_id;  // the ota-update command that started it (results go back to it)
    std::string release_id;  // the manifest's id
    std::string component;
    std::string version;
    std::string previous_version;  // installed before; empty when unknown or none
    std::string handler;
    std::string manifest;  // the signed manifest as received (the helper verifies it again)
    std::string plan;      // what the manifest asks for, as the OTA module wrote it (JSON)
    std::string boot_id;   // the kernel boot id when a reboot was asked for
    std::string state;
    std::string reason;                   // ota.* once failed or rolled back
    std::string message;                  // what happened, for the operator
    std::int64_t attempts = 0;            // install attempts (a restart mid-install counts)
    std::int64_t started_ms = 0;          // Unix ms
    std::int64_t updated_ms = 0;          // of the last transition
    std::int64_t health_deadline_ms = 0;  // Unix ms; 0 until awaiting health
    bool outcome_reported = false;        // the final result reached the outbox
};

struct OtaHistoryEntry {
    std::int64_t id = 0;
    std::int64_t ts_ms = 0;
    std::string command_id;
    std::string component;
    std::string version;
    std::string from_state;
    std::string to_state;
    std::string reason;
    std::string message;
};

struct OtaDbOptions {
    std::filesystem::path path = "/var/lib/lintel/ota.db";
    std::uint64_t history_max_rows = 10'000;
};

class OtaDb {
public:
    // Opens or creates the file. An unusable file is moved aside with an error logged: the
    // update in progress is forgotten and floors fall back to the installed versions.
    static Expected<OtaDb> open(OtaDbOptions options, sdk::Logger& log);

    Expected<std::optional<OtaUpdateRecord>> current();
    // Replaces the current update and appends a history row for the move from `from_state`
    // (empty for a new update), in one transaction.
    Expected<void> save(const OtaUpdateRecord& record, std::string_view from_state);
    // The newest first, at most `limit`.
    Expected<std::vector<OtaHistoryEntry>> history(std::size_t limit);

    // What an OTA update committed last for the component (nullopt: never).
    Expected<std::optional<std::string>> committed_version(std::string_view component);
    // The anti-rollback floor: no version below it is installed again, even with a signed
    // allow_downgrade. nullopt: none yet.
    Expected<std::optional<std::string>> floor(std::string_view component);
    // Every component's floor (component -> floor).
    Expected<std::map<std::string, std::string>> floors();
    // Records a commit: the version, and the floor the caller computed (never lower than the
    // previous floor; the store keeps whatever it is given, ordering versions is the OTA
    // module's business).
    Expected<void> record_commit(std::string_view component, std::string_view version,
                                 std::string_view floor, std::int64_t at_ms);

    const OtaDbOptions& options() const { return options_; }

private:
    OtaDb(OtaDbOptions options, Database db) : options_(std::move(options)), db_(std::move(db)) {}

    OtaDbOptions options_;
    Database db_;
};

}  // namespace lintel::store
