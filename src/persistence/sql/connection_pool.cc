#include "persistence/sql/connection_pool.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::persistence::sql {

ConnectionPool::ConnectionPool(Connector connector, PoolOptions options)
    : connector_(std::move(connector)), options_(std::move(options)) {}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.max_connections;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&free), options_.acquire_timeout)) {
      return errors::Unavailable(absl::StrCat("all ", options_.max_connections,
                                              " database connections are busy"));
    }
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_;  // a slot, filled outside the lock
  }
  absl::StatusOr<std::unique_ptr<Connection>> opened = connector_();
  if (!opened.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
  }
  return opened;
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (connection->healthy()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
}

bool ConnectionPool::RetryAfter(const absl::Status& status, int attempt) {
  if (!IsConnectionLost(status) && !IsTransactionAborted(status)) return false;
  if (attempt + 1 >= options_.attempts) return false;
  absl::Duration wait = absl::Milliseconds(50) * (1 << attempt);
  spdlog::warn("database: {}; trying again in {}", std::string(status.message()), absl::FormatDuration(wait));
  absl::SleepFor(wait);
  return true;
}

absl::Status ConnectionPool::Read(const std::function<absl::Status(Connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<std::unique_ptr<Connection>> connection = Acquire();
    absl::Status status = connection.ok() ? fn(**connection) : connection.status();
    if (connection.ok()) Release(*std::move(connection));
    if (!RetryAfter(status, attempt)) return status;
  }
}

absl::StatusOr<Result> ConnectionPool::Query(absl::string_view sql, std::vector<Value> params) {
  absl::StatusOr<Result> result;
  absl::Status status = Read([&](Connection& c) {
    result = c.Run(sql, params);
    return result.status();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status ConnectionPool::Transaction(const std::function<absl::Status(Connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<std::unique_ptr<Connection>> acquired = Acquire();
    if (!acquired.ok()) {
      if (RetryAfter(acquired.status(), attempt)) continue;
      return acquired.status();
    }
    Connection& connection = **acquired;
    absl::Status status = connection.Run(options_.begin, {}).status();
    if (status.ok()) status = fn(connection);
    if (status.ok()) {
      absl::Status committed = connection.Run("COMMIT", {}).status();
      Release(*std::move(acquired));
      if (committed.ok()) return committed;
      if (IsConnectionLost(committed)) {
        return CommitOutcomeUnknown(absl::StrCat("the database connection was lost while committing; "
                                                 "the outcome is unknown: ", committed.message()));
      }
      // A serialization failure at commit: rolled back, safe to repeat.
      if (RetryAfter(committed, attempt)) continue;
      return committed;
    }
    if (connection.healthy()) {
      // Best effort: a failed rollback leaves the connection unhealthy.
      (void)connection.Run("ROLLBACK", {});
    }
    Release(*std::move(acquired));
    if (!RetryAfter(status, attempt)) return status;
  }
}

}  // namespace zaman::persistence::sql
