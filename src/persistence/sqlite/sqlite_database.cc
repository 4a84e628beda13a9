#include "persistence/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include "common/errors.h"
#include "metrics/metrics.h"

namespace zaman::persistence::sqlite {
namespace {

// Writes one group commits at most: a bound on how long the first of them
// waits for the last.
constexpr size_t kMaxBatch = 256;

}  // namespace

absl::Status Database::Submit(PendingWrite& pending) {
  absl::MutexLock queue_lock(&queue_mu_);
  queue_.push_back(&pending);
  while (!pending.done) {
    if (leading_) {
      batch_done_.Wait(&queue_mu_);
      continue;
    }
    // Lead: take what waits (this write among it, or a batch before it).
    leading_ = true;
    std::vector<PendingWrite*> batch;
    if (queue_.size() <= kMaxBatch) {
      batch.swap(queue_);
    } else {
      batch.assign(queue_.begin(), queue_.begin() + kMaxBatch);
      queue_.erase(queue_.begin(), queue_.begin() + kMaxBatch);
    }
    queue_mu_.Unlock();
    {
      absl::MutexLock lock(&mu_);
      CommitBatch(batch);
    }
    queue_mu_.Lock();
    for (PendingWrite* write : batch) write->done = true;
    leading_ = false;
    batch_done_.SignalAll();
  }
  return pending.result;
}

void Database::CommitBatch(const std::vector<PendingWrite*>& batch) {
  const bool alone = batch.size() == 1;
  try {
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    bool any = false;
    for (PendingWrite* write : batch) {
      if (!alone) db_.exec("SAVEPOINT write");
      write->result = write->fn(db_);
      if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        // SQLite ended the transaction itself (a full disk, an I/O error):
        // nothing of the batch was kept.
        absl::Status lost = write->result.ok()
                                ? errors::Unavailable("sqlite ended the transaction of a batch of writes")
                                : write->result;
        for (PendingWrite* other : batch) other->result = lost;
        return;
      }
      if (alone) {
        if (!write->result.ok()) return;  // rolled back by tx
      } else if (write->result.ok()) {
        db_.exec("RELEASE write");
      } else {
        db_.exec("ROLLBACK TO write");
        db_.exec("RELEASE write");
      }
      any = any || write->result.ok();
    }
    if (!any) return;  // rolled back by tx: nothing to keep
    ResetStatements();
    tx.commit();
    const int64_t rows = sqlite3_total_changes64(db_.getHandle());
    metrics::SqliteWriteMetrics::Get().Committed(batch.size(), rows - rows_at_last_commit_);
    rows_at_last_commit_ = rows;
  } catch (const SQLite::Exception& e) {
    // BEGIN, a savepoint or COMMIT failed: no write of the batch is known
    // to be kept (an Unavailable one may have been: the caller's retry
    // rules for an unknown outcome apply).
    absl::Status failed = FromException(e, "commit a batch of writes");
    for (PendingWrite* write : batch) {
      if (write->result.ok()) write->result = failed;
    }
  }
}

void Database::ResetStatements() {
  for (auto& [sql, statement] : statements_) statement->tryReset();
}

}  // namespace zaman::persistence::sqlite
