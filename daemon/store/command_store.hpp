// commands.db's asynchronous face: one worker thread runs every SQLite call (synchronous=FULL
// commits must not stall the network loop), results come back on the loop. It is also the
// outbox's BatchSource for the uplink: control messages go out before telemetry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch_source.hpp"
#include "command_db.hpp"
#include "lintel/asio.hpp"
#include "lintel/error.hpp"
#include "lintel/log.hpp"

namespace lintel::store {

class CommandStore final : public BatchSource {
public:
    // Opens the database on the calling thread (a start-up error is reported before READY=1),
    // then starts the worker. Callbacks run on `loop`; `log` must be thread-safe.
    static Expected<std::unique_ptr<CommandStore>> start(CommandDbOptions options,
                                                         asio::any_io_executor loop,
                                                         sdk::Logger& log);
    CommandStore(const CommandStore&) = delete;
    CommandStore& operator=(const CommandStore&) = delete;
    ~CommandStore() override;  // stop()

    // Finishes queued work and joins the worker (shutdown). Later calls complete with an error.
    void stop();

    template <typename T>
    using Done = std::function<void(Expected<T>)>;

    void claim(std::string command_id, std::int64_t keep_until_ms, std::int64_t issued_at_ms,
               Done<bool> done);
    void newest_issued_at(Done<std::int64_t> done);
    void prune_nonces(std::int64_t now_ms);
    void revoke_key(std::string kid, std::int64_t at_ms, Done<void> done);
    void revoked_keys(Done<std::vector<std::string>> done);
    // Fire and forget (a failure is logged): the shun is in force in memory either way.
    void save_shun(std::string who, std::int64_t until_ms);
    void remove_shun(std::string who);
    void active_shuns(std::int64_t now_ms,
                      Done<std::vector<std::pair<std::string, std::int64_t>>> done);
    // Fire and forget: a failure is logged (an audit record that cannot be written is itself
    // worth an error line).
    void append_audit(AuditRecord record);
    void audit_since(std::int64_t since_ms, std::size_t limit, Done<std::vector<AuditRecord>> done);
    // Queues a control message for the broker; the uplink is told once it is committed.
    void enqueue(std::string topic, std::string payload);
    void stats(Done<CommandDbStats> done);

    // BatchSource: the outbox, one message per batch, seq = the message's row id.
    void next_batch(BatchLimits limits,
                    std::function<void(Expected<std::optional<Batch>>)> done) override;
    void acknowledge(std::uint64_t seq) override;
    void rewind() override;
    void on_data_available(std::function<void()> listener) override;

private:
    CommandStore(CommandDb db, asio::any_io_executor loop, sdk::Logger& log);

    // Runs `job` on the worker with the database, then `done` with its result on the loop
    // (unless this store is gone by then).
    template <typename T>
    void run(std::function<Expected<T>(CommandDb&)> job, Done<T> done);

    CommandDb db_;  // worker thread only (after start)
    asio::any_io_executor loop_;
    sdk::Logger& log_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::thread thread_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // loop callbacks check it
    bool stopped_ = false;

    std::atomic<std::int64_t> cursor_{0};  // id of the last message handed out on this connection
    std::function<void()> listener_;       // loop only
};

}  // namespace lintel::store
