// CommandStore: the worker thread, and the outbox as a BatchSource.
#include "command_store.hpp"

namespace lintel::store {

Expected<std::unique_ptr<CommandStore>> CommandStore::start(CommandDbOptions options,
                                                            asio::any_io_executor loop,
                                                            sdk::Logger& log) {
    auto db = CommandDb::open(std::move(options), log);
    if (!db) return std::unexpected(db.error());
    return std::unique_ptr<CommandStore>(new CommandStore(std::move(*db), std::move(loop), log));
}

CommandStore::CommandStore(CommandDb db, asio::any_io_executor loop, sdk::Logger& log)
    : db_(std::move(db)), loop_(std::move(loop)), log_(log) {
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
}

CommandStore::~CommandStore() { stop(); }

void CommandStore::stop() {
    if (stopped_) return;
    stopped_ = true;
    work_.reset();  // queued jobs finish first: audit records are not thrown away at shutdown
    if (thread_.joinable()) thread_.join();
    alive_.reset();
}

template <typename T>
void CommandStore::run(std::function<Expected<T>(CommandDb&)> job, Done<T> done) {
    if (stopped_) {
        if (done) {
            asio::post(loop_, [done] {
                done(make_error("store.stopped", "the command store is stopped"));
            });
        }
        return;
    }
    std::weak_ptr<int> alive = alive_;
    asio::post(io_, [this, alive, job = std::move(job), done = std::move(done)]() mutable {
        auto result = job(db_);
        if (!done) return;
        asio::post(loop_, [alive, done = std::move(done), result = std::move(result)]() mutable {
            if (!alive.expired()) done(std::move(result));
        });
    });
}

void CommandStore::claim(std::string command_id, std::int64_t keep_until_ms,
                         std::int64_t issued_at_ms, Done<bool> done) {
    run<bool>([id = std::move(command_id), keep_until_ms,
               issued_at_ms](CommandDb& db) { return db.claim(id, keep_until_ms, issued_at_ms); },
              std::move(done));
}

void CommandStore::newest_issued_at(Done<std::int64_t> done) {
    run<std::int64_t>([](CommandDb& db) { return db.newest_issued_at(); }, std::move(done));
}

void CommandStore::prune_nonces(std::int64_t now_ms) {
    run<std::uint64_t>(
        [now_ms](CommandDb& db) { return db.prune_nonces(now_ms); },
        [this](Expected<std::uint64_t> r) {
            if (!r) {
                log_.error("cannot prune expired command ids", {{"REASON", r.error().message}});
            }
        });
}

void CommandStore::revoke_key(std::string kid, std::int64_t at_ms, Done<void> done) {
    run<void>([kid = std::move(kid), at_ms](CommandDb& db) { return db.revoke_key(kid, at_ms); },
              std::move(done));
}

void CommandStore::revoked_keys(Done<std::vector<std::string>> done) {
    run<std::vector<std::string>>([](CommandDb& db) { return db.revoked_keys(); }, std::move(done));
}

void CommandStore::save_shun(std::string who, std::int64_t until_ms) {
    run<void>([who, until_ms](CommandDb& db) { return db.save_shun(who, until_ms); },
              [this, who](Expected<void> r) {
                  if (!r) {
                      log_.error("a shun could not be recorded; a restart would lift it",
                                 {{"WHO", who}, {"REASON", r.error().message}});
                  }
              });
}

void CommandStore::remove_shun(std::string who) {
    run<void>([who](CommandDb& db) { return db.remove_shun(who); },
              [this, who](Expected<void> r) {
                  if (!r) {
                      log_.error("an unshun could not be recorded; a restart would shun again",
                                 {{"WHO", who}, {"REASON", r.error().message}});
                  }
              });
}

void CommandStore::active_shuns(std::int64_t now_ms,
                                Done<std::vector<std::pair<std::string, std::int64_t>>> done) {
    run<std::vector<std::pair<std::string, std::int64_t>>>(
        [now_ms](CommandDb& db) { return db.active_shuns(now_ms); }, std::move(done));
}

void CommandStore::append_audit(AuditRecord record) {
    run<void>(
        [record = std::move(record)](CommandDb& db) { return db.append_audit(record); },
        [this](Expected<void> r) {
            if (!r) {
                log_.error("an audit record could not be written", {{"REASON", r.error().message}});
            }
        });
}

void CommandStore::audit_since(std::int64_t since_ms, std::size_t limit,
                               Done<std::vector<AuditRecord>> done) {
    run<std::vector<AuditRecord>>(
        [since_ms, limit](CommandDb& db) { return db.audit_since(since_ms, limit); },
        std::move(done));
}

void CommandStore::enqueue(std::string topic, std::string payload) {
    run<std::int64_t>([topic = std::move(topic), payload = std::move(payload)](
                          CommandDb& db) { return db.enqueue(topic, payload); },
                      [this](Expected<std::int64_t> r) {
                          if (!r) {
                              log_.error("a control message could not be queued for the broker",
                                         {{"REASON", r.error().message}});
                              return;
                          }
                          if (listener_) listener_();
                      });
}

void CommandStore::stats(Done<CommandDbStats> done) {
    run<CommandDbStats>([](CommandDb& db) { return db.stats(); }, std::move(done));
}

void CommandStore::next_batch(BatchLimits,
                              std::function<void(Expected<std::optional<Batch>>)> done) {
    // The cursor moves on the worker, where the message is read: the pump asks for one batch
    // at a time and rewinds only when no fetch is out, so the two never race.
    run<std::optional<Batch>>(
        [this](CommandDb& db) -> Expected<std::optional<Batch>> {
            auto m = db.next_message(cursor_.load());
            if (!m) return std::unexpected(m.error());
            if (!m->has_value()) return std::optional<Batch>();
            cursor_.store((*m)->id);
            Batch b;
            b.seq = static_cast<std::uint64_t>((*m)->id);
            b.payload = std::move((*m)->payload);
            b.topic = std::move((*m)->topic);
            return std::optional<Batch>(std::move(b));
        },
        std::move(done));
}

void CommandStore::acknowledge(std::uint64_t seq) {
    run<void>(
        [id = static_cast<std::int64_t>(seq)](CommandDb& db) { return db.remove_message(id); },
        [this](Expected<void> r) {
            if (!r) {
                log_.error("an acknowledged control message could not be removed",
                           {{"REASON", r.error().message}});
            }
        });
}

void CommandStore::rewind() { cursor_.store(0); }

void CommandStore::on_data_available(std::function<void()> listener) {
    listener_ = std::move(listener);
}

}  // namespace lintel::store
