// Opening the buffer database: connection settings, integrity check, schema migrations, and
// moving an unusable file aside so the daemon starts fresh instead of crash-looping.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "sqlite_db.hpp"
#include "wal_scan.hpp"

namespace lintel::store {

// One step of a schema: the SQL that brings user_version to `to_version`, in one transaction.
struct Migration {
    std::int64_t to_version;
    std::string_view sql;
};

// A database kind: its migrations (in order; PRAGMA user_version tracks the last one applied)
// and what to call it in errors ("a lintel buffer").
struct SchemaSpec {
    std::string_view what;
    std::span<const Migration> migrations;
    std::int64_t version() const { return migrations.empty() ? 0 : migrations.back().to_version; }
};

// The telemetry buffer's schema (schema.cpp). Add a step there for every change.
const SchemaSpec& buffer_schema();

inline constexpr std::string_view kErrSchema = "store.schema";  // unknown or newer schema

enum class Synchronous { normal, full };

struct DatabaseSettings {
    Synchronous synchronous = Synchronous::normal;
    std::int64_t cache_kib = 1024;  // page cache bound: the backlog stays on disk, not in RSS
};

// Opens `path`, applies WAL and the settings, runs PRAGMA quick_check and migrates the schema.
// Errors with code kErrCorrupt or kErrSchema mean the file itself is unusable.
Expected<Database> open_database(const std::filesystem::path& path,
                                 const DatabaseSettings& settings,
                                 const SchemaSpec& schema = buffer_schema());

// Brings a database from its user_version to schema.version(), one transaction per step.
Expected<void> migrate(Database& db, const SchemaSpec& schema = buffer_schema());

// Whether an error from open_database means the file should be moved aside (rather than the
// environment fixed: permissions, a full disk, another process holding the lock).
bool is_unusable_file(const Error& error);

// A -wal whose committed transactions SQLite will not replay (a damaged frame stops its
// recovery, and every later commit is skipped without an error).
struct DamagedWal {
    WalScan scan;
    std::filesystem::path copy;  // the whole log as it was, for analysis
};

// Scans `path`'s -wal before SQLite opens it; when commits would be skipped, copies it to
// "<path>-wal.damaged-<UTC timestamp>" (SQLite rewrites the log later) and says so.
Expected<std::optional<DamagedWal>> keep_damaged_wal(const std::filesystem::path& path);

// Renames `path` and its -wal/-shm companions to "<path>.corrupt-<UTC timestamp>[-n]".
// Returns the new name of the main file.
Expected<std::filesystem::path> move_aside(const std::filesystem::path& path);

// open_database, and when the file is unusable: move_aside, log an error that says what was
// lost (`lost`, e.g. "ids of commands seen before are forgotten"), and open an empty one.
// For the small state databases (commands.db, ota.db); the buffer has its own recovery.
Expected<Database> open_or_start_fresh(const std::filesystem::path& path,
                                       const DatabaseSettings& settings, const SchemaSpec& schema,
                                       sdk::Logger& log, std::string_view lost);

}  // namespace lintel::store
