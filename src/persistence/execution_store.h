#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "temporal/api/history/v1/message.pb.h"
#include "zaman/persistence/v1/execution.pb.h"

namespace zaman::persistence {

using MutableState = ::zaman::persistence::v1::MutableState;
using TransferTask = ::zaman::persistence::v1::TransferTask;
using TimerTask = ::zaman::persistence::v1::TimerTask;
using HistoryEvent = ::temporal::api::history::v1::HistoryEvent;
using VisibilityRecord = ::zaman::persistence::v1::VisibilityRecord;

struct ExecutionRecord {
  MutableState state;
  int64_t db_version = 0;
};

// One run's change inside a shard transaction.
struct ExecutionUpdate {
  MutableState state;            // the run's whole new state; the key is taken from it
  int64_t expected_db_version = 0;  // 0: the run is new
  // Make this run the current one of its workflow id. The condition: the
  // current run is `expected_current_run_id` ("" = there is none).
  bool set_current = false;
  std::string expected_current_run_id;
  std::vector<HistoryEvent> events;  // appended; ids must continue the run's history
};

// A run removed with its whole history (DeleteWorkflowExecution,
// retention), if it is still at `expected_db_version`. The workflow id
// forgets it: if it was the current run, the id has none afterwards.
struct ExecutionDeletion {
  std::string namespace_id;
  std::string workflow_id;
  std::string run_id;
  int64_t expected_db_version = 0;
};

// Everything one shard commits at once (group commit): all or nothing.
struct ShardTransaction {
  std::vector<ExecutionUpdate> updates;
  std::vector<ExecutionDeletion> deletions;
  std::vector<TransferTask> new_transfer_tasks;
  std::vector<TimerTask> new_timer_tasks;
  std::vector<int64_t> done_transfer_tasks;
  std::vector<int64_t> done_timer_tasks;
  // Only for a store that WritesVisibility(): the runs' rows in visibility,
  // written with the rest (the rows of `deletions` go too).
  std::vector<VisibilityRecord> visibility;
};

// Where a timer sits in its shard's timer queue: by fire time (to the
// millisecond, as stored), then task id. Timers are read in this order.
struct TimerKey {
  int64_t fire_time_ms = 0;
  int64_t task_id = 0;

  friend bool operator<(const TimerKey& a, const TimerKey& b) {
    return a.fire_time_ms != b.fire_time_ms ? a.fire_time_ms < b.fire_time_ms : a.task_id < b.task_id;
  }
  friend bool operator<=(const TimerKey& a, const TimerKey& b) { return !(b < a); }
};
TimerKey TimerKeyOf(const TimerTask& task);

// Durable workflow state for the history role. Thread-safe; calls block.
class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;

  // Takes ownership of a shard: bumps and returns its range id. Writes by
  // an earlier owner fail from then on.
  virtual absl::StatusOr<int64_t> AcquireShard(int32_t shard_id) = 0;

  // Applies `tx` in one transaction if the shard's range id is still
  // `range_id` (else errors::ShardOwnershipLost) and every execution's
  // version and current-run condition holds (else errors::ConditionFailed).
  virtual absl::Status Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) = 0;

  // Whether Commit writes visibility in the same transaction (the store
  // keeps both in one database and the visibility store reads them there):
  // then history hands a commit its visibility records instead of putting
  // them in the outbox. SQLite does; the others write visibility from the
  // outbox.
  virtual bool WritesVisibility() const { return false; }

  virtual absl::StatusOr<ExecutionRecord> GetExecution(absl::string_view namespace_id,
                                                       absl::string_view workflow_id,
                                                       absl::string_view run_id) = 0;
  // NotFound if the workflow id never ran.
  virtual absl::StatusOr<std::string> GetCurrentRunId(absl::string_view namespace_id,
                                                      absl::string_view workflow_id) = 0;

  // Events with ids in [from_event_id, to_event_id), at most `max_events`.
  virtual absl::StatusOr<std::vector<HistoryEvent>> ReadHistory(absl::string_view namespace_id,
                                                                absl::string_view workflow_id,
                                                                absl::string_view run_id,
                                                                int64_t from_event_id,
                                                                int64_t to_event_id,
                                                                int max_events) = 0;

  // The shard's outbox: up to `limit` tasks with ids above `after_task_id`,
  // in id order.
  virtual absl::StatusOr<std::vector<TransferTask>> LoadTransferTasks(int32_t shard_id, int64_t after_task_id,
                                                                      int limit) = 0;
  // The shard's timers: up to `limit` of those after `after` that fire
  // before `before_ms` (Unix milliseconds), in TimerKey order.
  virtual absl::StatusOr<std::vector<TimerTask>> LoadTimerTasks(int32_t shard_id, TimerKey after, int64_t before_ms,
                                                                int limit) = 0;
};

}  // namespace zaman::persistence
