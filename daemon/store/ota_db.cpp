// ota.db: schema and statements behind the OTA state (ota_db.hpp).
#include "ota_db.hpp"

#include <array>

#include "schema.hpp"

namespace lintel::store {
namespace {

constexpr std::array kOtaMigrations{
    Migration{1, R"sql(
CREATE TABLE current_update(
    id INTEGER PRIMARY KEY CHECK (id = 1),  -- one update at a time
    command_id TEXT NOT NULL,
    release_id TEXT NOT NULL,
    component TEXT NOT NULL,
    version TEXT NOT NULL,
    previous_version TEXT NOT NULL,
    handler TEXT NOT NULL,
    manifest TEXT NOT NULL,
    plan TEXT NOT NULL,
    boot_id TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    started INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    health_deadline INTEGER NOT NULL,
    outcome_reported INTEGER NOT NULL);
CREATE TABLE history(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    command_id TEXT NOT NULL,
    component TEXT NOT NULL,
    version TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL);
CREATE TABLE components(
    name TEXT PRIMARY KEY,
    committed_version TEXT NOT NULL,
    floor TEXT NOT NULL,   -- anti-rollback: never install below it again
    committed_at INTEGER NOT NULL) WITHOUT ROWID;
)sql"},
};

const SchemaSpec& ota_schema() {
    static const SchemaSpec spec{"the lintel OTA database", kOtaMigrations};
    return spec;
}

template <typename T>
std::unexpected<Error> fail(const Expected<T>& r) {
    return std::unexpected(r.error());
}

Expected<std::optional<std::string>> component_text(Database& db, std::string_view column,
                                                    std::string_view component) {
    auto st = db.prepare("SELECT " + std::string(column) + " FROM components WHERE name = ?1");
    if (!st) return fail(st);
    st->bind_text(1, component);
    auto row = st->step();
    if (!row) return fail(row);
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(std::string(st->text(0)));
}

}  // namespace

Expected<OtaDb> OtaDb::open(OtaDbOptions options, sdk::Logger& log) {
    DatabaseSettings settings;
    settings.synchronous = Synchronous::full;
    settings.cache_kib = 128;
    auto db = open_or_start_fresh(
        options.path, settings, ota_schema(), log,
        "an update in progress is forgotten (its staging files stay until the next update) and "
        "anti-rollback floors fall back to the installed versions");
    if (!db) return std::unexpected(db.error());
    return OtaDb(std::move(options), std::move(*db));
}

Expected<std::optional<OtaUpdateRecord>> OtaDb::current() {
    auto st = db_.prepare(
        "SELECT command_id, release_id, component, version, previous_version, handler, "
        "manifest, plan, boot_id, state, reason, message, attempts, started, updated, "
        "health_deadline, outcome_reported FROM current_update WHERE id = 1");
    if (!st) return fail(st);
    auto row = st->step();
    if (!row) return fail(row);
    if (!*row) return std::optional<OtaUpdateRecord>();
    OtaUpdateRecord r;
    r.command_id = st->text(0);
    r.release_id = st->text(1);
    r.component = st->text(2);
    r.version = st->text(3);
    r.previous_version = st->text(4);
    r.handler = st->text(5);
    r.manifest = st->text(6);
    r.plan = st->text(7);
    r.boot_id = st->text(8);
    r.state = st->text(9);
    r.reason = st->text(10);
    r.message = st->text(11);
    r.attempts = st->integer(12);
    r.started_ms = st->integer(13);
    r.updated_ms = st->integer(14);
    r.health_deadline_ms = st->integer(15);
    r.outcome_reported = st->integer(16) != 0;
    return std::optional<OtaUpdateRecord>(std::move(r));
}

Expected<void> OtaDb::save(const OtaUpdateRecord& r, std::string_view from_state) {
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(tx);
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO current_update(id, command_id, release_id, component, version, "
        "previous_version, handler, manifest, plan, boot_id, state, reason, message, attempts, "
        "started, updated, health_deadline, outcome_reported) "
        "VALUES(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    if (!st) return fail(st);
    st->bind_text(1, r.command_id);
    st->bind_text(2, r.release_id);
    st->bind_text(3, r.component);
    st->bind_text(4, r.version);
    st->bind_text(5, r.previous_version);
    st->bind_text(6, r.handler);
    st->bind_text(7, r.manifest);
    st->bind_text(8, r.plan);
    st->bind_text(9, r.boot_id);
    st->bind_text(10, r.state);
    st->bind_text(11, r.reason);
    st->bind_text(12, r.message);
    st->bind(13, r.attempts);
    st->bind(14, r.started_ms);
    st->bind(15, r.updated_ms);
    st->bind(16, r.health_deadline_ms);
    st->bind(17, std::int64_t{r.outcome_reported ? 1 : 0});
    if (auto done = st->run(); !done) return fail(done);

    // Only moves are history; re-saving a state (a flag, a deadline) is not.
    if (from_state != r.state) {
        auto h = db_.prepare(
            "INSERT INTO history(ts, command_id, component, version, from_state, to_state, "
            "reason, message) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!h) return fail(h);
        h->bind(1, r.updated_ms);
        h->bind_text(2, r.command_id);
        h->bind_text(3, r.component);
        h->bind_text(4, r.version);
        h->bind_text(5, from_state);
        h->bind_text(6, r.state);
        h->bind_text(7, r.reason);
        h->bind_text(8, r.message);
        if (auto done = h->run(); !done) return fail(done);
        auto trim =
            db_.prepare("DELETE FROM history WHERE id <= (SELECT max(id) FROM history) - ?1");
        if (!trim) return fail(trim);
        trim->bind(1, static_cast<std::int64_t>(options_.history_max_rows));
        if (auto done = trim->run(); !done) return fail(done);
    }
    return tx->commit();
}

Expected<std::vector<OtaHistoryEntry>> OtaDb::history(std::size_t limit) {
    auto st = db_.prepare(
        "SELECT id, ts, command_id, component, version, from_state, to_state, reason, message "
        "FROM history ORDER BY id DESC LIMIT ?1");
    if (!st) return fail(st);
    st->bind(1, static_cast<std::int64_t>(limit));
    std::vector<OtaHistoryEntry> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(row);
        if (!*row) break;
        out.push_back(OtaHistoryEntry{st->integer(0), st->integer(1), std::string(st->text(2)),
                                      std::string(st->text(3)), std::string(st->text(4)),
                                      std::string(st->text(5)), std::string(st->text(6)),
                                      std::string(st->text(7)), std::string(st->text(8))});
    }
    return out;
}

Expected<std::optional<std::string>> OtaDb::committed_version(std::string_view component) {
    return component_text(db_, "committed_version", component);
}

Expected<std::optional<std::string>> OtaDb::floor(std::string_view component) {
    return component_text(db_, "floor", component);
}

Expected<std::map<std::string, std::string>> OtaDb::floors() {
    auto st = db_.prepare("SELECT name, floor FROM components");
    if (!st) return fail(st);
    std::map<std::string, std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(row);
        if (!*row) break;
        out.emplace(st->text(0), st->text(1));
    }
    return out;
}

Expected<void> OtaDb::record_commit(std::string_view component, std::string_view version,
                                    std::string_view floor, std::int64_t at_ms) {
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO components(name, committed_version, floor, committed_at) "
        "VALUES(?1, ?2, ?3, ?4)");
    if (!st) return fail(st);
    st->bind_text(1, component);
    st->bind_text(2, version);
    st->bind_text(3, floor);
    st->bind(4, at_ms);
    return st->run();
}

}  // namespace lintel::store
