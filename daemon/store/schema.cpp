// Buffer database schema, its migrations, and the corrupt-file policy.
#include "schema.hpp"

#include <array>
#include <chrono>
#include <ctime>
#include <string>
#include <system_error>

namespace lintel::store {
namespace {

// Names in points/series are interned (series) so a row costs ~30 bytes on disk: the buffer is
// mostly numbers and SQLite insert speed is proportional to bytes written.
constexpr std::array kMigrations{
    Migration{1, R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE series(
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    point TEXT NOT NULL,
    unit TEXT NOT NULL,
    UNIQUE(device, point, unit));
CREATE TABLE points(
    id INTEGER PRIMARY KEY,      -- assigned by the buffer from meta.next_id: never reused
    series INTEGER NOT NULL,
    ts INTEGER NOT NULL,         -- Unix ms
    flags INTEGER NOT NULL,      -- value kind | quality << 2
    value,                       -- INTEGER (bool, int), REAL, TEXT; NULL for NaN
    bytes INTEGER NOT NULL);     -- what this row counts against buffer.max_bytes
CREATE TABLE batches(
    seq INTEGER PRIMARY KEY,     -- the message seq: handed out, waiting for the broker's ack
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    points INTEGER NOT NULL,
    bytes INTEGER NOT NULL);
CREATE TABLE drops(device TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
)sql"},
};

Expected<void> exec_with(Database& db, std::string_view sql, std::string_view code) {
    if (auto r = db.exec(sql); !r) {
        Error e = r.error();
        if (e.code == kErrSqlite) e.code = std::string(code);
        return std::unexpected(std::move(e));
    }
    return {};
}

std::string utc_stamp() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y%m%dT%H%M%SZ", &tm);
    return std::string(buf.data(), n);
}

}  // namespace

const SchemaSpec& buffer_schema() {
    static const SchemaSpec spec{"a lintel buffer", kMigrations};
    return spec;
}

Expected<Database> open_database(const std::filesystem::path& path,
                                 const DatabaseSettings& settings, const SchemaSpec& schema) {
    auto db = Database::open(path);
    if (!db) return std::unexpected(db.error());

    // The first statement that reads the file: a non-database fails here with kErrCorrupt.
    if (auto r = db->exec("PRAGMA busy_timeout=5000"); !r) return std::unexpected(r.error());
    auto mode = db->query_text("PRAGMA journal_mode=WAL");
    if (!mode) return std::unexpected(mode.error());
    if (*mode != "wal") {
        return make_error(std::string(kErrAccess), "cannot switch " + path.string() +
                                                       " to WAL (journal_mode is " + *mode + ")");
    }
    const std::string sync = settings.synchronous == Synchronous::full ? "FULL" : "NORMAL";
    if (auto r = db->exec(
            "PRAGMA synchronous=" + sync + ";PRAGMA cache_size=-" +
            std::to_string(settings.cache_kib) +
            ";PRAGMA mmap_size=0;PRAGMA journal_size_limit=4194304;PRAGMA temp_store=MEMORY");
        !r) {
        return std::unexpected(r.error());
    }

    auto check = db->prepare("PRAGMA quick_check");
    if (!check) return std::unexpected(check.error());
    std::string problems;
    while (true) {
        auto row = check->step();
        if (!row) return std::unexpected(row.error());
        if (!*row) break;
        if (check->text(0) != "ok") {
            if (!problems.empty()) problems += "; ";
            problems += check->text(0);
            if (problems.size() > 400) break;
        }
    }
    if (!problems.empty()) {
        return make_error(std::string(kErrCorrupt),
                          "integrity check of " + path.string() + " failed: " + problems);
    }

    if (auto r = migrate(*db, schema); !r) return std::unexpected(r.error());
    return std::move(*db);
}

Expected<void> migrate(Database& db, const SchemaSpec& schema) {
    auto version = db.query_integer("PRAGMA user_version");
    if (!version) return std::unexpected(version.error());
    if (*version > schema.version()) {
        return make_error(std::string(kErrSchema), db.path().string() + " has schema version " +
                                                       std::to_string(*version) +
                                                       ", newer than this lintel understands (" +
                                                       std::to_string(schema.version()) + ")");
    }
    if (*version == 0) {
        // user_version 0 is also what any foreign SQLite file says: only adopt an empty one.
        auto tables = db.query_integer("SELECT count(*) FROM sqlite_schema");
        if (!tables) return std::unexpected(tables.error());
        if (*tables != 0) {
            return make_error(
                std::string(kErrSchema),
                db.path().string() + " is an SQLite database but not " + std::string(schema.what));
        }
    }
    for (const auto& m : schema.migrations) {
        if (m.to_version <= *version) continue;
        auto tx = Transaction::begin(db);
        if (!tx) return std::unexpected(tx.error());
        if (auto r = exec_with(db, m.sql, kErrSchema); !r) return r;
        if (auto r = db.exec("PRAGMA user_version=" + std::to_string(m.to_version)); !r) return r;
        if (auto r = tx->commit(); !r) return r;
    }
    return {};
}

bool is_unusable_file(const Error& error) {
    return error.code == kErrCorrupt || error.code == kErrSchema || error.code == kErrIo;
}

Expected<std::optional<DamagedWal>> keep_damaged_wal(const std::filesystem::path& path) {
    const std::filesystem::path wal = path.string() + "-wal";
    auto scan = scan_wal_file(wal);
    if (!scan) return std::unexpected(scan.error());
    if (scan->lost_commits == 0) return std::nullopt;
    DamagedWal damaged{*scan, path.string() + "-wal.damaged-" + utc_stamp()};
    std::error_code ec;
    std::filesystem::copy_file(wal, damaged.copy, std::filesystem::copy_options::overwrite_existing,
                               ec);
    if (ec) damaged.copy.clear();  // still worth the log line; the copy is a courtesy
    return damaged;
}

Expected<std::filesystem::path> move_aside(const std::filesystem::path& path) {
    const std::string base = path.string() + ".corrupt-" + utc_stamp();
    std::filesystem::path target = base;
    std::error_code ec;
    for (int n = 1; std::filesystem::exists(target, ec); ++n)
        target = base + "-" + std::to_string(n);

    std::filesystem::rename(path, target, ec);
    if (ec) {
        return make_error(std::string(kErrAccess), "cannot move " + path.string() + " aside to " +
                                                       target.string() + ": " + ec.message());
    }
    // The WAL belongs to the file it was written for: keep them together, never replay it
    // elsewhere.
    for (const char* suffix : {"-wal", "-shm"}) {
        const std::filesystem::path side = path.string() + suffix;
        if (std::filesystem::exists(side, ec)) {
            std::filesystem::rename(side, target.string() + suffix, ec);
            if (ec) std::filesystem::remove(side, ec);
        }
    }
    return target;
}

Expected<Database> open_or_start_fresh(const std::filesystem::path& path,
                                       const DatabaseSettings& settings, const SchemaSpec& schema,
                                       sdk::Logger& log, std::string_view lost) {
    auto db = open_database(path, settings, schema);
    if (db || !is_unusable_file(db.error())) return db;
    auto moved = move_aside(path);
    if (!moved) return std::unexpected(moved.error());
    log.error(
        std::string(schema.what) + " is unusable: moved it aside and started an empty one; " +
            std::string(lost),
        {{"PATH", path.string()}, {"MOVED_TO", moved->string()}, {"REASON", db.error().message}});
    return open_database(path, settings, schema);
}

}  // namespace lintel::store
