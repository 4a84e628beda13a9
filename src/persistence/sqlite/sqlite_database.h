#pragma once

// Internal to the SQLite backend: the shared connection and error mapping.

#include <memory>
#include <string>
#include <unordered_map>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace zaman::persistence::sqlite {

// Turns an exception from SQLiteCpp into a Status; exceptions never leave
// the backend. Busy/locked → Unavailable, constraint → AlreadyExists.
absl::Status FromException(const SQLite::Exception& e, absl::string_view what);

// A statement from Database::Prepare: bound and stepped by its user, reset
// and unbound when the handle goes, so that a half-read SELECT does not keep
// a read snapshot (and the WAL) pinned.
class PreparedStatement {
 public:
  explicit PreparedStatement(SQLite::Statement& statement) : statement_(&statement) {}
  PreparedStatement(PreparedStatement&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement() {
    if (statement_ == nullptr) return;
    statement_->tryReset();
    try {
      statement_->clearBindings();
    } catch (const SQLite::Exception&) {
      // Bindings are replaced before the next use anyway.
    }
  }
  SQLite::Statement& operator*() const { return *statement_; }

 private:
  SQLite::Statement* statement_;
};

// Owns the connection; every store of the backend goes through it, one
// caller at a time.
class Database {
 public:
  explicit Database(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {}

  // Runs `fn(db)` with the connection to itself.
  template <typename Fn>
  auto With(Fn&& fn) {
    absl::MutexLock lock(&mu_);
    return fn(db_);
  }

  // `fn(db)` through With(), an exception from SQLiteCpp turned into a
  // Status that names `what`.
  template <typename Fn>
  absl::Status Run(absl::string_view what, Fn&& fn) {
    return With([&](SQLite::Database& db) -> absl::Status {
      try {
        return fn(db);
      } catch (const SQLite::Exception& e) {
        return FromException(e, what);
      }
    });
  }

  // Run() inside one IMMEDIATE transaction, committed when `fn` returns OK.
  template <typename Fn>
  absl::Status Write(absl::string_view what, Fn&& fn) {
    return Run(what, [&](SQLite::Database& db) -> absl::Status {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      absl::Status status = fn(db);
      if (status.ok()) Commit(tx);
      return status;
    });
  }

  // Only inside With(): commits `tx`, first resetting every statement of
  // the cache. A SELECT stepped to a row and not reset keeps its read
  // transaction open past COMMIT; then no checkpoint can run on this
  // connection (SQLITE_LOCKED) and none elsewhere past its snapshot, and
  // the log only grows.
  void Commit(SQLite::Transaction& tx) {
    for (auto& [sql, statement] : statements_) statement->tryReset();
    tx.commit();
  }

  // Only inside With(): the statement for `sql`, compiled once for this
  // connection and reused (compiling is most of a small statement's cost).
  PreparedStatement Prepare(const std::string& sql) {
    std::unique_ptr<SQLite::Statement>& slot = statements_[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(db_, sql);
    slot->tryReset();
    return PreparedStatement(*slot);
  }

 private:
  absl::Mutex mu_;
  SQLite::Database db_ ABSL_GUARDED_BY(mu_);
  // Destroyed before db_ (declared after it).
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

}  // namespace zaman::persistence::sqlite
