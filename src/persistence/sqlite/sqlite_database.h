#pragma once

// Internal to the SQLite backend: the shared connection and error mapping.

#include <string>

#include <SQLiteCpp/SQLiteCpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace zaman::persistence::sqlite {

// Turns an exception from SQLiteCpp into a Status; exceptions never leave
// the backend. Busy/locked → Unavailable, constraint → AlreadyExists.
absl::Status FromException(const SQLite::Exception& e, absl::string_view what);

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

 private:
  absl::Mutex mu_;
  SQLite::Database db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::persistence::sqlite
