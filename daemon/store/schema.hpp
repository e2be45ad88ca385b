// Opening the buffer database: connection settings, integrity check, schema migrations, and
// moving an unusable file aside so the daemon starts fresh instead of crash-looping.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "lintel/error.hpp"
#include "sqlite_db.hpp"

namespace lintel::store {

// Version stored in PRAGMA user_version; bump it and add a step in schema.cpp for every change.
inline constexpr std::int64_t kSchemaVersion = 1;

inline constexpr std::string_view kErrSchema = "store.schema";  // unknown or newer schema

enum class Synchronous { normal, full };

struct DatabaseSettings {
    Synchronous synchronous = Synchronous::normal;
    std::int64_t cache_kib = 1024;  // page cache bound: the backlog stays on disk, not in RSS
};

// Opens `path`, applies WAL and the settings, runs PRAGMA quick_check and migrates the schema.
// Errors with code kErrCorrupt or kErrSchema mean the file itself is unusable.
Expected<Database> open_database(const std::filesystem::path& path,
                                 const DatabaseSettings& settings);

// Brings a database from its user_version to kSchemaVersion, one transaction per step.
Expected<void> migrate(Database& db);

// Whether an error from open_database means the file should be moved aside (rather than the
// environment fixed: permissions, a full disk, another process holding the lock).
bool is_unusable_file(const Error& error);

// Renames `path` and its -wal/-shm companions to "<path>.corrupt-<UTC timestamp>[-n]".
// Returns the new name of the main file.
Expected<std::filesystem::path> move_aside(const std::filesystem::path& path);

}  // namespace lintel::store
