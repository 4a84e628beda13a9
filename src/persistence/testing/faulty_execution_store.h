#pragma once

// For tests only: an ExecutionStore put in front of a real one that fails
// the next commits as an unreachable database would (Unavailable, nothing
// written), so that tests see what the engine does while the store is away.

#include <atomic>

#include "common/errors.h"
#include "persistence/execution_store.h"

namespace zaman::persistence::testing {

class FaultyExecutionStore final : public ExecutionStore {
 public:
  explicit FaultyExecutionStore(ExecutionStore& real) : real_(real) {}

  // The next `n` commits fail without writing anything.
  void FailNextCommits(int n) { failing_commits_ = n; }
  // The next commit is written, but its caller hears Unavailable (a
  // connection lost while committing, whose outcome could not be read back).
  void LoseReplyOfNextCommit() { lose_reply_ = true; }
  int failed_commits() const { return failed_; }
  // Commits handed to the real store.
  int commits() const { return commits_; }
  // How many runs were read (GetExecution calls).
  int executions_read() const { return executions_read_; }

  absl::StatusOr<int64_t> AcquireShard(int32_t shard_id) override { return real_.AcquireShard(shard_id); }
  absl::Status Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) override {
    if (failing_commits_.fetch_sub(1) > 0) {
      ++failed_;
      return errors::Unavailable("injected: the database is unreachable");
    }
    ++commits_;
    absl::Status status = real_.Commit(shard_id, range_id, tx);
    if (status.ok() && lose_reply_.exchange(false)) {
      return errors::Unavailable("injected: the commit's outcome is unknown");
    }
    return status;
  }
  bool WritesVisibility() const override { return real_.WritesVisibility(); }
  absl::StatusOr<ExecutionRecord> GetExecution(absl::string_view namespace_id, absl::string_view workflow_id,
                                               absl::string_view run_id) override {
    ++executions_read_;
    return real_.GetExecution(namespace_id, workflow_id, run_id);
  }
  absl::StatusOr<std::string> GetCurrentRunId(absl::string_view namespace_id,
                                              absl::string_view workflow_id) override {
    return real_.GetCurrentRunId(namespace_id, workflow_id);
  }
  absl::StatusOr<std::vector<HistoryEvent>> ReadHistory(absl::string_view namespace_id, absl::string_view workflow_id,
                                                        absl::string_view run_id, int64_t from_event_id,
                                                        int64_t to_event_id, int max_events) override {
    return real_.ReadHistory(namespace_id, workflow_id, run_id, from_event_id, to_event_id, max_events);
  }
  absl::StatusOr<std::vector<TransferTask>> LoadTransferTasks(int32_t shard_id, int64_t after_task_id,
                                                              int limit) override {
    return real_.LoadTransferTasks(shard_id, after_task_id, limit);
  }
  absl::StatusOr<std::vector<TimerTask>> LoadTimerTasks(int32_t shard_id, TimerKey after, int64_t before_ms,
                                                        int limit) override {
    return real_.LoadTimerTasks(shard_id, after, before_ms, limit);
  }

 private:
  ExecutionStore& real_;
  std::atomic<int> failing_commits_{0};
  std::atomic<int> failed_{0};
  std::atomic<int> commits_{0};
  std::atomic<int> executions_read_{0};
  std::atomic<bool> lose_reply_{false};
};

}  // namespace zaman::persistence::testing
