#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/timer_service.h"
#include "history/run_cache.h"
#include "history/run_key.h"
#include "persistence/execution_store.h"

namespace zaman::history {

using persistence::HistoryEvent;
using persistence::MutableState;
using persistence::TimerTask;
using persistence::TransferTask;

// What a shard tells the rest of the server after a commit. Called on the
// shard's thread; implementations must not block.
class ShardListener {
 public:
  virtual ~ShardListener() = default;
  // A committed outbox task for matching (at least once; also after restarts).
  virtual void DispatchTransferTask(const TransferTask& task) = 0;
  // A committed timer came due.
  virtual void TimerDue(int32_t shard_id, const TimerTask& task) = 0;
  // A run's state changed (long polls on history wake up). Called after the
  // `done` callbacks of the batch that committed the change.
  virtual void RunChanged(const MutableState& state) = 0;
  // A run was deleted.
  virtual void RunDeleted(const RunKey& run) = 0;
};

// A run as one mutation sees and changes it.
struct RunChange {
  MutableState state;
  int64_t expected_db_version = 0;  // 0: created in this batch
  bool set_current = false;
  std::string expected_current_run_id;
  std::vector<HistoryEvent> events;  // new, in id order
  bool deleted = false;  // removed with its history at commit
};

class Shard;

// The view one mutation has of its shard: runs it loads or creates, tasks it
// adds or completes. Nothing is visible to other mutations unless the
// mutation succeeds; nothing is durable until the batch commits.
class MutationScope {
 public:
  absl::Time now() const;
  int32_t shard_id() const;

  // The run, with this batch's earlier changes. NotFound if it never existed.
  absl::StatusOr<RunChange*> Load(const std::string& namespace_id, const std::string& workflow_id,
                                  const std::string& run_id);
  // The current run id of a workflow id ("" if none), with this batch's changes.
  absl::StatusOr<std::string> CurrentRunId(const std::string& namespace_id, const std::string& workflow_id);
  // A new run; it becomes the current one if the current one is still
  // `expected_current_run_id` when the batch commits.
  RunChange* Create(MutableState state, std::string expected_current_run_id);
  // Removes the run and its history at commit (it must exist in the store:
  // not created in this batch). Later loads in the batch find nothing.
  void Delete(RunChange& run);
  // The mutation changed nothing of `run` (loaded by it): nothing of it is
  // written. `run` is gone afterwards.
  void Unchanged(const RunChange& run);
  // One event of the run's history: from this mutation's or batch's new
  // events, else from the store.
  absl::StatusOr<HistoryEvent> ReadEvent(const RunChange& run, int64_t event_id);

  void AddTransferTask(TransferTask task);
  // Takes back outbox tasks this mutation added (a workflow task started
  // inline needs no dispatch).
  void DropTransferTasks(const std::function<bool(const TransferTask&)>& which);
  void AddTimerTask(TimerTask task);
  // The task is done. A batch that changes nothing but completing tasks
  // commits nothing of its own: their rows go with the shard's next commit
  // (within a second). A task of a crash in between
  // is done again: it finds nothing to do.
  void CompleteTransferTask(int64_t task_id);
  void CompleteTimerTask(int64_t task_id);

 private:
  friend class Shard;
  explicit MutationScope(Shard& shard) : shard_(shard) {}

  Shard& shard_;
  std::map<RunKey, RunChange> runs_;
  std::vector<TransferTask> transfer_tasks_;
  std::vector<TimerTask> timer_tasks_;
  std::vector<int64_t> done_transfer_;
  std::vector<int64_t> done_timer_;
};

// How much of its queues and runs a shard keeps in memory.
struct ShardOptions {
  // Timers are read from the store this far ahead of their fire time (and
  // armed); later ones wait in the store.
  absl::Duration timer_lookahead = absl::Minutes(1);
  // At most this many timers armed at once; the next ones are read as these fire.
  size_t max_armed_timers = 10000;
  // At most this many outbox tasks handed out and not yet settled; the next
  // ones are read as these settle.
  size_t max_outbox_in_flight = 4000;
  // Rows a queue reads from the store at a time.
  int page_size = 500;
  // Runs whose mutable state is cached (RunCache).
  size_t cache_size = 512;
};

// One history shard owned by this host: a serial executor (its own thread)
// on which every mutation of the shard's workflows runs, in order. Mutations
// queued together are committed in one store transaction (group commit),
// fenced by the shard's range id. Thread-safe to call; state is touched only
// on the shard's thread.
//
// Its two task queues live in the store and are read in pages
// (shard_queues.cc): the outbox by task id, at most
// `max_outbox_in_flight` tasks handed to the listener and not yet settled;
// the timers by fire time, those due within `timer_lookahead` armed, at most
// `max_armed_timers`. A task committed inside what has been read already
// is handed out (armed) at once; the rest are found by the next page.
class Shard {
 public:
  Shard(int32_t id, persistence::ExecutionStore& store, Clock& clock, TimerService& timers,
        ShardListener& listener, ShardOptions options = {});
  ~Shard();

  // Takes ownership in the store, then starts reading the outbox and the
  // timers from the store (work acknowledged before a crash resumes). A
  // stopped shard can be started again (its ownership came back).
  absl::Status Start();
  // Runs what is queued, then refuses new work (errors::ShardOwnershipLost:
  // the caller asks the shard's next owner).
  void Stop();
  bool running() const { return running_.load(); }
  // Another host took the shard (a commit found its range id moved).
  bool lost() const { return lost_.load(); }

  int32_t id() const { return id_; }

  // The listener is done with an outbox task it was handed, though the task
  // is not completed (matching holds it now): it no longer counts against
  // `max_outbox_in_flight`. Any thread.
  void ReleaseTransferTask(int64_t task_id);

  // What the shard holds in memory now, for tests and metrics.
  struct Footprint {
    size_t armed_timers = 0;
    size_t outbox_in_flight = 0;
  };
  Footprint footprint();

  // Runs `mutation` on the shard's thread; `done` gets its result after the
  // batch holding it has committed (or the error that stopped it).
  template <typename T>
  void Execute(std::function<absl::StatusOr<T>(MutationScope&)> mutation,
               std::function<void(absl::StatusOr<T>)> done) {
    auto result = std::make_shared<absl::StatusOr<T>>(absl::UnknownError("not run"));
    Post(Op{[mutation = std::move(mutation), result](MutationScope& scope) -> absl::Status {
              *result = mutation(scope);
              return result->status();
            },
            [done = std::move(done), result](absl::Status commit) {
              if (!commit.ok()) {
                done(commit);
              } else {
                done(std::move(*result));
              }
            }});
  }

 private:
  friend class MutationScope;

  struct Op {
    std::function<absl::Status(MutationScope&)> apply;
    std::function<void(absl::Status)> done;
  };
  struct Batch {
    std::map<RunKey, RunChange> runs;
    std::map<std::pair<std::string, std::string>, std::string> current_runs;
    persistence::ShardTransaction tx;
  };

  void Post(Op op);
  // Queues work for the shard's thread that commits nothing (a page read).
  // Dropped when the shard stops.
  void PostChore(std::function<void()> chore);
  void Loop();
  void RunBatch(std::vector<Op> ops);
  int64_t NextTaskId() { return next_task_id_++; }
  // The run cache after a commit: what committed moves into it (out of `tx`),
  // what failed is forgotten.
  void UpdateCache(persistence::ShardTransaction& tx, bool committed);

  // shard_queues.cc: the paged outbox and timer queue.
  void ResetQueues();
  // After a commit: settles its completed tasks and hands out (arms) the new
  // ones inside what has been read.
  void QueueCommitted(const persistence::ShardTransaction& tx);
  // After a commit that failed as Unavailable its tasks may be in the store
  // all the same: the readers go back to read them if they are.
  void QueueUncertain(const persistence::ShardTransaction& tx);
  void RequestOutboxRead();
  void RequestTimerRead();
  void ReadOutbox();   // shard thread
  void ReadTimers();   // shard thread
  void DispatchTransfer(const TransferTask& task);
  void ArmTimer(const TimerTask& task);
  // Runs `chore` on the shard's thread after a second (a store that failed).
  void RetryLater(void (Shard::*chore)());
  // Shard thread: holds a batch's completions back (it has nothing else),
  // or adds those held back to `tx` (returned, to put back if it fails).
  void Defer(const persistence::ShardTransaction& tx);
  persistence::ShardTransaction TakeDeferred(persistence::ShardTransaction& tx);
  void PutBackDeferred(const persistence::ShardTransaction& taken);
  void FlushDeferred();

  const int32_t id_;
  persistence::ExecutionStore& store_;
  Clock& clock_;
  TimerService& timers_;
  ShardListener& listener_;
  const ShardOptions options_;

  absl::Mutex mu_;
  std::deque<Op> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> chores_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = true;  // until started
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> lost_{false};
  // Counts the starts: a timer armed under an earlier ownership is dropped
  // (the later start read it again from the store).
  std::atomic<uint64_t> generation_{0};

  // Shard thread only.
  int64_t range_id_ = 0;
  int64_t next_task_id_ = 0;
  Batch* batch_ = nullptr;  // the batch being built
  RunCache cache_;
  // Completed tasks whose rows are not deleted yet (MutationScope::CompleteTransferTask).
  std::vector<int64_t> deferred_transfer_;
  std::vector<int64_t> deferred_timer_;
  bool deferred_flush_scheduled_ = false;

  // The queues' read positions (shard thread only). Every outbox task with
  // an id up to outbox_level_, and every timer up to timer_level_, has been
  // handed out (armed) under this ownership.
  int64_t outbox_level_ = 0;
  persistence::TimerKey timer_level_;
  bool timer_tick_scheduled_ = false;
  // The store may hold tasks beyond the levels that are due for reading.
  std::atomic<bool> outbox_more_{false};
  std::atomic<bool> timers_more_{false};
  std::atomic<bool> outbox_read_requested_{false};
  std::atomic<bool> timer_read_requested_{false};
  // Handed out and not settled: outbox task id -> when; armed timer ids.
  absl::Mutex queues_mu_;
  absl::flat_hash_map<int64_t, absl::Time> in_flight_ ABSL_GUARDED_BY(queues_mu_);
  absl::flat_hash_set<int64_t> armed_ ABSL_GUARDED_BY(queues_mu_);
};

}  // namespace zaman::history
