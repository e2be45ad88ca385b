// The gateway's security records in their own SQLite file (commands.db, beside the buffer):
// command ids seen (the nonce store), the freshness anchor, keys revoked at run time, the audit
// log, and the outbox of control messages (audit, events, command results) waiting for the
// broker. Kept apart from the telemetry buffer on purpose: telemetry filling its cap, or a
// corrupt buffer being moved aside, never costs an audit record. Synchronous: one thread uses
// it (CommandStore's worker).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lintel/error.hpp"
#include "lintel/log.hpp"
#include "schema.hpp"
#include "sqlite_db.hpp"

namespace lintel::store {

// One accounting record: every command decision, every local-control refusal, every TLS
// failure worth counting. Text fields are plain values, never secrets.
struct AuditRecord {
    std::int64_t id = 0;  // assigned by the database
    std::int64_t ts_ms = 0;
    std::string source;     // "mqtt" (cloud command), "control" (lintelctl), "uplink" (TLS)
    std::string principal;  // who, as far as known
    std::string kid;
    std::string command_id;
    std::string action;
    std::string decision;  // "rejected", "executed", "failed"
    std::string reason;    // cmd.* code when rejected or failed
    std::string detail;    // the human message
};

struct OutboxMessage {
    std::int64_t id = 0;
    std::string topic;  // suffix under {prefix}/{gateway}: "audit", "events", "cmd/result"
    std::string payload;
};

struct CommandDbStats {
    std::uint64_t audit_rows = 0;
    std::uint64_t audit_dropped = 0;  // oldest records removed to stay within max_rows
    std::uint64_t outbox_messages = 0;
    std::uint64_t outbox_bytes = 0;
    std::uint64_t outbox_dropped = 0;  // oldest messages removed to stay within max_bytes
};

struct CommandDbOptions {
    std::filesystem::path path = "/var/lib/lintel/commands.db";
    std::uint64_t audit_max_rows = 100'000;
    std::uint64_t outbox_max_bytes = 16ULL * 1024 * 1024;
};

class CommandDb {
public:
    // Opens or creates the file (synchronous=FULL: a nonce must survive a power cut, or a
    // replay could slip in after it). An unusable file is moved aside with an error logged.
    static Expected<CommandDb> open(CommandDbOptions options, sdk::Logger& log);

    // Claims a command id: true if it was never seen (recorded now, kept until keep_until_ms,
    // and issued_at_ms raises the freshness anchor), false if it was (a replay).
    Expected<bool> claim(std::string_view command_id, std::int64_t keep_until_ms,
                         std::int64_t issued_at_ms);
    // Forgets ids whose keep-until time has passed; returns how many.
    Expected<std::uint64_t> prune_nonces(std::int64_t now_ms);
    // The newest issued_at ever claimed (0: none).
    Expected<std::int64_t> newest_issued_at();

    Expected<void> revoke_key(std::string_view kid, std::int64_t at_ms);
    Expected<std::vector<std::string>> revoked_keys();

    // Shunned sources ("key:<kid>", "principal:<name>") until a Unix ms time.
    Expected<void> save_shun(std::string_view who, std::int64_t until_ms);
    Expected<void> remove_shun(std::string_view who);
    // The shuns still in force at now_ms (expired ones are deleted).
    Expected<std::vector<std::pair<std::string, std::int64_t>>> active_shuns(std::int64_t now_ms);

    // Appends a record, dropping the oldest beyond audit_max_rows (counted).
    Expected<void> append_audit(const AuditRecord& record);
    // Records with ts >= since_ms, oldest first, at most `limit`.
    Expected<std::vector<AuditRecord>> audit_since(std::int64_t since_ms, std::size_t limit);

    // Queues a control message, dropping the oldest beyond outbox_max_bytes (counted).
    Expected<std::int64_t> enqueue(std::string_view topic, std::string_view payload);
    // The oldest queued message with id > after_id.
    Expected<std::optional<OutboxMessage>> next_message(std::int64_t after_id);
    Expected<void> remove_message(std::int64_t id);

    Expected<CommandDbStats> stats();
    const CommandDbOptions& options() const { return options_; }

private:
    CommandDb(CommandDbOptions options, Database db)
        : options_(std::move(options)), db_(std::move(db)) {}
    Expected<std::int64_t> meta(std::string_view key);
    Expected<void> add_meta(std::string_view key, std::int64_t delta);

    CommandDbOptions options_;
    Database db_;
};

}  // namespace lintel::store
