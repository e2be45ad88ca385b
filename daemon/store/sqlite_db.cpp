// SQLite adapter: result codes become lintel::Error values with the file and SQLite's own words.
#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <utility>

namespace lintel::store {
namespace {

std::string_view code_for(int rc) {
    switch (rc & 0xff) {  // primary code; extended codes keep it in the low byte
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return kErrCorrupt;
        case SQLITE_IOERR:
            return kErrIo;
        case SQLITE_FULL:
            return kErrFull;
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
        case SQLITE_AUTH:
            return kErrAccess;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return kErrBusy;
        default:
            return kErrSqlite;
    }
}

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(std::exchange(other.db_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
void Statement::bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
void Statement::bind_text(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
}
void Statement::bind_null(int index) { sqlite3_bind_null(stmt_, index); }

Expected<bool> Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error e = db_->error(rc, "step");
    sqlite3_reset(stmt_);
    return std::unexpected(std::move(e));
}

Expected<void> Statement::run() {
    auto r = step();
    sqlite3_reset(stmt_);
    if (!r) return std::unexpected(r.error());
    return {};
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement::Type Statement::type(int column) const {
    switch (sqlite3_column_type(stmt_, column)) {
        case SQLITE_INTEGER:
            return Type::integer;
        case SQLITE_FLOAT:
            return Type::real;
        case SQLITE_TEXT:
            return Type::text;
        case SQLITE_BLOB:
            return Type::blob;
        default:
            return Type::null;
    }
}
std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string_view Statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

// ---- Database ----

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

Database::~Database() { close(); }

void Database::close() {
    // close_v2 defers until every statement is finalized, so member order never matters.
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
}

Expected<Database> Database::open(const std::filesystem::path& path) {
    Database db;
    db.path_ = path;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db.db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        Error e = db.db_ != nullptr
                      ? db.error(rc, "open")
                      : Error{std::string(kErrSqlite), "cannot open " + path.string()};
        return std::unexpected(std::move(e));
    }
    sqlite3_extended_result_codes(db.db_, 1);
    return db;
}

Error Database::error(int rc, std::string_view what) const {
    std::string message = "SQLite " + std::string(what) + " failed on " + path_.string() + ": ";
    message += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    message += " (code " + std::to_string(rc) + ")";
    return Error{std::string(code_for(rc)), std::move(message)};
}

Expected<void> Database::exec(std::string_view sql) {
    const std::string text(sql);
    char* errmsg = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &errmsg);
    sqlite3_free(errmsg);  // sqlite3_errmsg still holds the text for error()
    if (rc != SQLITE_OK) return std::unexpected(error(rc, "exec"));
    return {};
}

Expected<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return std::unexpected(error(rc, "prepare of \"" + std::string(sql.substr(0, 60)) + "\""));
    }
    return Statement(stmt, this);
}

Expected<std::int64_t> Database::query_integer(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
        return make_error(std::string(kErrSqlite), "no result from \"" + std::string(sql) + "\"");
    return stmt->integer(0);
}

Expected<std::string> Database::query_text(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return std::unexpected(stmt.error());
    auto row = stmt->step();
    if (!row) return std::unexpected(row.error());
    if (!*row)
        return make_error(std::string(kErrSqlite), "no result from \"" + std::string(sql) + "\"");
    return std::string(stmt->text(0));
}

// ---- Transaction ----

Expected<Transaction> Transaction::begin(Database& db) {
    // IMMEDIATE takes the write lock now, so a busy database fails here rather than mid-way.
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
    return Transaction(db);
}

Transaction::~Transaction() {
    if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Expected<void> Transaction::commit() {
    Database* db = std::exchange(db_, nullptr);
    if (auto r = db->exec("COMMIT"); !r) {
        (void)db->exec("ROLLBACK");
        return r;
    }
    return {};
}

}  // namespace lintel::store
