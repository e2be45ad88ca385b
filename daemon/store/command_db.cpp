// commands.db: schema and the few statements behind the nonce store, audit log and outbox.
#include "command_db.hpp"

#include <array>

namespace lintel::store {
namespace {

constexpr std::array kCommandMigrations{
    Migration{1, R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE nonces(
    id TEXT PRIMARY KEY,          -- the command's id
    keep_until INTEGER NOT NULL)  -- Unix ms; afterwards the time window refuses it anyway
    WITHOUT ROWID;
CREATE INDEX nonces_keep_until ON nonces(keep_until);
CREATE TABLE revoked_keys(kid TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE audit(
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: readers page by id
    ts INTEGER NOT NULL,
    source TEXT NOT NULL,
    principal TEXT NOT NULL,
    kid TEXT NOT NULL,
    command_id TEXT NOT NULL,
    action TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL);
CREATE INDEX audit_ts ON audit(ts);
CREATE TABLE outbox(
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the uplink's cursor moves past ids
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    bytes INTEGER NOT NULL);
)sql"},
    // Shuns outlive a restart: a restart (or a crash an attacker provokes) must not lift them.
    Migration{2, R"sql(
CREATE TABLE shuns(who TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
)sql"},
};

const SchemaSpec& command_schema() {
    static const SchemaSpec spec{"a lintel command database", kCommandMigrations};
    return spec;
}

template <typename T>
std::unexpected<Error> fail(const Expected<T>& r) {
    return std::unexpected(r.error());
}

}  // namespace

Expected<CommandDb> CommandDb::open(CommandDbOptions options, sdk::Logger& log) {
    DatabaseSettings settings;
    settings.synchronous = Synchronous::full;
    settings.cache_kib = 256;
    auto db = open_or_start_fresh(
        options.path, settings, command_schema(), log,
        "ids of commands seen before are forgotten (a replay inside their time window is "
        "possible until they expire) and runtime key revocations must be sent again");
    if (!db) return std::unexpected(db.error());
    return CommandDb(std::move(options), std::move(*db));
}

Expected<std::int64_t> CommandDb::meta(std::string_view key) {
    auto st = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!st) return fail(st);
    st->bind_text(1, key);
    auto row = st->step();
    if (!row) return fail(row);
    return *row ? st->integer(0) : 0;
}

Expected<void> CommandDb::add_meta(std::string_view key, std::int64_t delta) {
    auto st = db_.prepare(
        "INSERT INTO meta(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = value + ?2");
    if (!st) return fail(st);
    st->bind_text(1, key);
    st->bind(2, delta);
    return st->run();
}

Expected<bool> CommandDb::claim(std::string_view command_id, std::int64_t keep_until_ms,
                                std::int64_t issued_at_ms) {
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(tx);
    auto st = db_.prepare("INSERT OR IGNORE INTO nonces(id, keep_until) VALUES(?1, ?2)");
    if (!st) return fail(st);
    st->bind_text(1, command_id);
    st->bind(2, keep_until_ms);
    if (auto r = st->run(); !r) return fail(r);
    auto changed = db_.query_integer("SELECT changes()");
    if (!changed) return fail(changed);
    if (*changed == 0) return false;  // seen before: nothing changes, the transaction rolls back
    auto anchor = db_.prepare(
        "INSERT INTO meta(key, value) VALUES('newest_issued_at', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value = max(value, ?1)");
    if (!anchor) return fail(anchor);
    anchor->bind(1, issued_at_ms);
    if (auto r = anchor->run(); !r) return fail(r);
    if (auto r = tx->commit(); !r) return fail(r);
    return true;
}

Expected<std::uint64_t> CommandDb::prune_nonces(std::int64_t now_ms) {
    auto st = db_.prepare("DELETE FROM nonces WHERE keep_until < ?1");
    if (!st) return fail(st);
    st->bind(1, now_ms);
    if (auto r = st->run(); !r) return fail(r);
    auto n = db_.query_integer("SELECT changes()");
    if (!n) return fail(n);
    return static_cast<std::uint64_t>(*n);
}

Expected<std::int64_t> CommandDb::newest_issued_at() { return meta("newest_issued_at"); }

Expected<void> CommandDb::revoke_key(std::string_view kid, std::int64_t at_ms) {
    auto st = db_.prepare("INSERT OR IGNORE INTO revoked_keys(kid, at) VALUES(?1, ?2)");
    if (!st) return fail(st);
    st->bind_text(1, kid);
    st->bind(2, at_ms);
    return st->run();
}

Expected<std::vector<std::string>> CommandDb::revoked_keys() {
    auto st = db_.prepare("SELECT kid FROM revoked_keys ORDER BY kid");
    if (!st) return fail(st);
    std::vector<std::string> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(row);
        if (!*row) break;
        out.emplace_back(st->text(0));
    }
    return out;
}

Expected<void> CommandDb::save_shun(std::string_view who, std::int64_t until_ms) {
    auto st = db_.prepare("INSERT OR REPLACE INTO shuns(who, until) VALUES(?1, ?2)");
    if (!st) return fail(st);
    st->bind_text(1, who);
    st->bind(2, until_ms);
    return st->run();
}

Expected<void> CommandDb::remove_shun(std::string_view who) {
    auto st = db_.prepare("DELETE FROM shuns WHERE who = ?1");
    if (!st) return fail(st);
    st->bind_text(1, who);
    return st->run();
}

Expected<std::vector<std::pair<std::string, std::int64_t>>> CommandDb::active_shuns(
    std::int64_t now_ms) {
    auto expired = db_.prepare("DELETE FROM shuns WHERE until <= ?1");
    if (!expired) return fail(expired);
    expired->bind(1, now_ms);
    if (auto r = expired->run(); !r) return fail(r);
    auto st = db_.prepare("SELECT who, until FROM shuns ORDER BY who");
    if (!st) return fail(st);
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(row);
        if (!*row) break;
        out.emplace_back(std::string(st->text(0)), st->integer(1));
    }
    return out;
}

Expected<void> CommandDb::append_audit(const AuditRecord& a) {
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(tx);
    auto st = db_.prepare(
        "INSERT INTO audit(ts, source, principal, kid, command_id, action, decision, reason, "
        "detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!st) return fail(st);
    st->bind(1, a.ts_ms);
    st->bind_text(2, a.source);
    st->bind_text(3, a.principal);
    st->bind_text(4, a.kid);
    st->bind_text(5, a.command_id);
    st->bind_text(6, a.action);
    st->bind_text(7, a.decision);
    st->bind_text(8, a.reason);
    st->bind_text(9, a.detail);
    if (auto r = st->run(); !r) return fail(r);
    auto rows = db_.query_integer("SELECT count(*) FROM audit");
    if (!rows) return fail(rows);
    const auto max = static_cast<std::int64_t>(options_.audit_max_rows);
    if (*rows > max) {
        const std::int64_t excess = *rows - max;
        auto del = db_.prepare(
            "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?1)");
        if (!del) return fail(del);
        del->bind(1, excess);
        if (auto r = del->run(); !r) return fail(r);
        if (auto r = add_meta("audit_dropped", excess); !r) return fail(r);
    }
    return tx->commit();
}

Expected<std::vector<AuditRecord>> CommandDb::audit_since(std::int64_t since_ms,
                                                          std::size_t limit) {
    auto st = db_.prepare(
        "SELECT id, ts, source, principal, kid, command_id, action, decision, reason, detail "
        "FROM audit WHERE ts >= ?1 ORDER BY id LIMIT ?2");
    if (!st) return fail(st);
    st->bind(1, since_ms);
    st->bind(2, static_cast<std::int64_t>(limit));
    std::vector<AuditRecord> out;
    for (;;) {
        auto row = st->step();
        if (!row) return fail(row);
        if (!*row) break;
        AuditRecord a;
        a.id = st->integer(0);
        a.ts_ms = st->integer(1);
        a.source = st->text(2);
        a.principal = st->text(3);
        a.kid = st->text(4);
        a.command_id = st->text(5);
        a.action = st->text(6);
        a.decision = st->text(7);
        a.reason = st->text(8);
        a.detail = st->text(9);
        out.push_back(std::move(a));
    }
    return out;
}

Expected<std::int64_t> CommandDb::enqueue(std::string_view topic, std::string_view payload) {
    auto tx = Transaction::begin(db_);
    if (!tx) return fail(tx);
    auto st = db_.prepare("INSERT INTO outbox(topic, payload, bytes) VALUES(?1, ?2, ?3)");
    if (!st) return fail(st);
    st->bind_text(1, topic);
    st->bind_text(2, payload);
    st->bind(3, static_cast<std::int64_t>(topic.size() + payload.size()));
    if (auto r = st->run(); !r) return fail(r);
    auto id = db_.query_integer("SELECT last_insert_rowid()");
    if (!id) return fail(id);
    // Over the cap: the oldest go first, never the one just queued.
    auto total = db_.query_integer("SELECT coalesce(sum(bytes), 0) FROM outbox");
    if (!total) return fail(total);
    std::int64_t over = *total - static_cast<std::int64_t>(options_.outbox_max_bytes);
    while (over > 0) {
        auto oldest = db_.prepare("SELECT id, bytes FROM outbox WHERE id < ?1 ORDER BY id LIMIT 1");
        if (!oldest) return fail(oldest);
        oldest->bind(1, *id);
        auto row = oldest->step();
        if (!row) return fail(row);
        if (!*row) break;
        const std::int64_t victim = oldest->integer(0);
        over -= oldest->integer(1);
        oldest->reset();
        auto del = db_.prepare("DELETE FROM outbox WHERE id = ?1");
        if (!del) return fail(del);
        del->bind(1, victim);
        if (auto r = del->run(); !r) return fail(r);
        if (auto r = add_meta("outbox_dropped", 1); !r) return fail(r);
    }
    if (auto r = tx->commit(); !r) return fail(r);
    return *id;
}

Expected<std::optional<OutboxMessage>> CommandDb::next_message(std::int64_t after_id) {
    auto st =
        db_.prepare("SELECT id, topic, payload FROM outbox WHERE id > ?1 ORDER BY id LIMIT 1");
    if (!st) return fail(st);
    st->bind(1, after_id);
    auto row = st->step();
    if (!row) return fail(row);
    if (!*row) return std::optional<OutboxMessage>();
    return std::optional<OutboxMessage>(
        OutboxMessage{st->integer(0), std::string(st->text(1)), std::string(st->text(2))});
}

Expected<void> CommandDb::remove_message(std::int64_t id) {
    auto st = db_.prepare("DELETE FROM outbox WHERE id = ?1");
    if (!st) return fail(st);
    st->bind(1, id);
    return st->run();
}

Expected<CommandDbStats> CommandDb::stats() {
    CommandDbStats s;
    auto rows = db_.query_integer("SELECT count(*) FROM audit");
    if (!rows) return fail(rows);
    s.audit_rows = static_cast<std::uint64_t>(*rows);
    auto out = db_.prepare("SELECT count(*), coalesce(sum(bytes), 0) FROM outbox");
    if (!out) return fail(out);
    auto row = out->step();
    if (!row) return fail(row);
    s.outbox_messages = static_cast<std::uint64_t>(out->integer(0));
    s.outbox_bytes = static_cast<std::uint64_t>(out->integer(1));
    out->reset();
    auto dropped = meta("audit_dropped");
    if (!dropped) return fail(dropped);
    s.audit_dropped = static_cast<std::uint64_t>(*dropped);
    auto odropped = meta("outbox_dropped");
    if (!odropped) return fail(odropped);
    s.outbox_dropped = static_cast<std::uint64_t>(*odropped);
    return s;
}

}  // namespace lintel::store
