#pragma once

// Internal to the SQL backends: a bounded pool of connections, and the one
// place that decides when a failed statement or transaction is run again.

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "persistence/sql/connection.h"

namespace zaman::persistence::sql {

// Opens a new connection to the database (Unavailable when it cannot).
using Connector = std::function<absl::StatusOr<std::unique_ptr<Connection>>()>;

struct PoolOptions {
  int max_connections = 20;
  // How long a caller waits for a free connection before Unavailable.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Tries of one transaction or read that failed on a lost connection or a
  // deadlock (the first included); the waits between them double from 50 ms.
  int attempts = 6;
  std::string begin = "BEGIN";  // the dialect's start of a transaction
};

// Connections are opened on demand up to max_connections and kept while
// healthy; a broken one is dropped and the next caller opens a fresh one, so
// the pool recovers by itself once the database is back. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(Connector connector, PoolOptions options);
  ~ConnectionPool();

  // `fn` on one connection, outside any transaction. Run again on another
  // connection when the connection was lost (reads are safe to repeat).
  absl::Status Read(const std::function<absl::Status(Connection&)>& fn);
  // One statement through Read().
  absl::StatusOr<Result> Query(absl::string_view sql, std::vector<Value> params);

  // `fn` inside one transaction, committed when it returns OK and rolled
  // back otherwise. The whole transaction runs again when it failed on a
  // lost connection or a deadlock before COMMIT was sent (nothing of it was
  // applied). A connection lost during COMMIT leaves the outcome unknown:
  // CommitOutcomeUnknown, never success.
  absl::Status Transaction(const std::function<absl::Status(Connection&)>& fn);

 private:
  class Lease;
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);
  // Whether `status` is worth another try after waiting; waits if so.
  bool RetryAfter(const absl::Status& status, int attempt);

  Connector connector_;
  PoolOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace zaman::persistence::sql
