// Thin RAII wrapper over SQLite (connection, prepared statements, transactions) that turns
// SQLite result codes into lintel::Error values. The only store header that knows SQLite exists.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "lintel/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace lintel::store {

// Error codes produced here; the buffer decides on them whether a file is moved aside.
inline constexpr std::string_view kErrCorrupt = "store.corrupt";  // not a database, malformed
inline constexpr std::string_view kErrIo = "store.io";            // read/write failed
inline constexpr std::string_view kErrFull = "store.full";        // disk or quota full
inline constexpr std::string_view kErrAccess =
    "store.access";                                         // cannot open, permission, read-only
inline constexpr std::string_view kErrBusy = "store.busy";  // locked by another process
inline constexpr std::string_view kErrSqlite = "store.sqlite";  // anything else

class Database;

class Statement {
public:
    enum class Type { integer, real, text, blob, null };

    Statement() = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    ~Statement();

    // Parameters are 1-based. Text is bound without a copy: it must outlive the next step().
    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind_text(int index, std::string_view value);
    void bind_null(int index);

    // true: a row is available; false: done (the statement must then be reset before reuse).
    Expected<bool> step();
    // Steps to completion and resets: for statements that return no rows.
    Expected<void> run();
    void reset();

    Type type(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string_view text(int column) const;

private:
    friend class Database;
    Statement(sqlite3_stmt* stmt, Database* db) : stmt_(stmt), db_(db) {}

    sqlite3_stmt* stmt_ = nullptr;
    Database* db_ = nullptr;
};

class Database {
public:
    Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    ~Database();

    // Opens (creating if missing) a database file; nothing is read until the first statement.
    static Expected<Database> open(const std::filesystem::path& path);

    bool is_open() const { return db_ != nullptr; }
    void close();

    Expected<void> exec(std::string_view sql);
    Expected<Statement> prepare(std::string_view sql);
    // First column of the first row of `sql` (e.g. a PRAGMA); an error when there is no row.
    Expected<std::int64_t> query_integer(std::string_view sql);
    Expected<std::string> query_text(std::string_view sql);

    // Maps the current error of the connection (after a failed call returning `rc`) to an Error.
    Error error(int rc, std::string_view what) const;

    const std::filesystem::path& path() const { return path_; }

private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed uncommitted (so an error path is safe).
class Transaction {
public:
    static Expected<Transaction> begin(Database& db);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();

    Expected<void> commit();

private:
    explicit Transaction(Database& db) : db_(&db) {}
    Database* db_ = nullptr;
};

}  // namespace lintel::store
