#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/timer_service.h"
#include "matching/matching_client.h"
#include "metrics/metrics.h"
#include "persistence/task_queue_store.h"

namespace zaman::matching {

// Where the tasks beyond a queue's in-memory buffer wait. With a store, a
// queue keeps at most `buffer_size` tasks in memory and puts the rest in the
// store (partition 0 of the queue, under this host's lease); polls take from
// the buffer, which is refilled from the store `page_size` tasks at a time.
// Without one the whole backlog stays in memory.
struct BacklogOptions {
  persistence::TaskQueueStore* store = nullptr;
  size_t buffer_size = 1000;
  int page_size = 100;
};

// The matching role's task queues: hands tasks to long-polling workers. A poll with
// nothing to do is parked as a callback (no thread waits) until a task
// arrives (sync match) or its deadline passes; tasks nobody is polling for
// wait in the queue's backlog: in memory, and with BacklogOptions::store
// beyond a bounded buffer in the store, where the queue's next owner finds
// them. A task kept in memory is also still an outbox row in the history
// store until a worker has started it, so after a restart history hands it
// over again (a duplicate is refused as stale when it is started); a task
// written to the store is matching's alone (AddTask says so, and history
// forgets it).
// Thread-safe; callbacks run outside its lock. MatchingHost (the role's
// MatchingClient) puts queries and sticky routing on top.
class MatchingEngine final {
 public:
  // Store calls block the thread of the AddTask or Poll that needs them (a
  // full buffer, a refill), never while the engine's lock is held.
  MatchingEngine(Clock& clock, TimerService& timers, BacklogOptions backlog = {});
  ~MatchingEngine();

  // A task for the queue's next poller (or its backlog). True when it went
  // to the store (and is matching's to keep: the caller's outbox may forget
  // it). A task marked matching_owned always goes there when a poller does
  // not take it at once.
  bool AddTask(const TransferTask& task);
  // A task for a poller parked now, else nothing: whether one took it.
  bool TryMatch(const TransferTask& task);
  // The backlog's oldest task, if any.
  std::optional<TransferTask> TryTake(const TaskQueueKey& queue);
  // Calls `on_done` exactly once: with a task, or with nullopt at
  // `deadline` (or at shutdown); abandoned polls get no task.
  void Poll(const TaskQueueKey& queue, const std::string& identity, absl::Time deadline,
            std::function<bool()> abandoned, std::function<void(std::optional<TransferTask>)> on_done);
  // Whether a worker is (or was just now) polling this sticky queue.
  bool StickyWorkerAvailable(const std::string& namespace_id, const std::string& sticky_queue);
  // Answers the sticky queue's parked polls empty, forgets the queue, and
  // returns the tasks that waited in it.
  std::vector<TransferTask> DropStickyQueue(const std::string& namespace_id, const std::string& sticky_queue);
  std::vector<PollerInfo> Pollers(const TaskQueueKey& queue);
  // The queues `moved` names now belong to another matching host: their
  // parked polls are answered empty (the workers poll again, and reach the
  // new owner) and their backlogs dropped (history offers those tasks again
  // to the new owner). Returns how many queues were dropped.
  int DropQueues(const std::function<bool(const TaskQueueKey&)>& moved);

  int64_t BacklogSize(const TaskQueueKey& queue);
  // The tasks waiting in the queue, in memory and in the store, and where
  // its partition stands in the store. Blocks on the store (with one);
  // fails when it cannot be read.
  struct Backlog {
    PartitionStatus status;
    absl::Duration oldest_age;  // zero when nothing waits
  };
  absl::StatusOr<Backlog> DescribeBacklog(const TaskQueueKey& queue);

  // Answers every parked poll with no task and refuses new ones.
  void Shutdown();

 private:
  struct Poller {
    uint64_t id;
    std::function<bool()> abandoned;
    std::function<void(std::optional<TransferTask>)> on_done;
    TimerService::TimerId timer;
  };
  struct Backlogged {
    TransferTask task;
    absl::Time since;        // when matching got it
    int64_t stored_id = 0;   // its id in the store; 0: only in memory
  };
  // What this host knows of a queue's partition in the store.
  struct StoredPartition {
    bool opened = false;       // looked for stored tasks since this host has the queue
    int64_t range_id = 0;      // this host's lease; 0: none
    int64_t next_seq = 0;      // the low bits of the next task id
    int64_t read_level = 0;    // the highest stored id read into the buffer
    int64_t handed_level = 0;  // the highest stored id handed to a poller
    int64_t acked_level = 0;   // completed in the store up to here
    bool more = false;         // the store may hold tasks above read_level
    int in_buffer = 0;         // stored tasks in the buffer
    int64_t handed_unacked = 0;  // stored tasks handed out, not yet completed in the store
  };
  struct Queue {
    std::deque<Backlogged> backlog;
    std::deque<Poller> pollers;
    std::map<std::string, absl::Time> poller_seen;  // identity -> last poll
    // Made by the first task, which tells whether the queue is sticky (a
    // poll does not); polls that time out before it are not counted.
    std::unique_ptr<metrics::TaskQueueMetrics> metrics;
    metrics::OperationMetrics::Series* add_task = nullptr;  // AddWorkflowTask/AddActivityTask
    StoredPartition stored;
  };
  using Delivery = std::pair<std::function<void(std::optional<TransferTask>)>, std::optional<TransferTask>>;

  // The queue, with its series once `task` is known.
  Queue& QueueOf(const TaskQueueKey& key, const TransferTask* task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void Expire(const TaskQueueKey& queue, uint64_t poller_id);
  enum class Outcome { kMatched, kBuffered, kStored, kNotTaken };
  Outcome Match(const TransferTask& task, bool backlog);
  // Takes the backlog's oldest task, and counts it handed out.
  TransferTask PopBacklog(Queue& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the queue's first parked poll that can still get a task; the
  // ones that cannot go to `gone` (answered empty by the caller).
  std::function<void(std::optional<TransferTask>)> NextPoller(
      Queue& queue, std::vector<std::function<void(std::optional<TransferTask>)>>& gone)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // With a store: writes `task` to the queue's partition, taking the lease
  // when this host has none. False when the store refused it.
  bool Spill(const TaskQueueKey& key, const TransferTask& task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu_);
  // With a store: records the tasks handed out as done, then, when the
  // buffer runs low and the store may hold more, reads the next page: to
  // parked polls first, the rest into the buffer. Returns the hand-overs to
  // make once no lock is held.
  std::vector<Delivery> Refill(const TaskQueueKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu_);
  // Takes (or takes again) the queue's partition; false when the store failed.
  bool Lease(const TaskQueueKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store_mu_);
  // Whether Refill() has something to do for `queue`.
  bool NeedsRefill(const Queue& queue) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Refill() under store_mu_, then the hand-overs.
  void RefillAndDeliver(const TaskQueueKey& key) ABSL_LOCKS_EXCLUDED(mu_, store_mu_);

  // A sticky queue nobody polled for this long has lost its worker.
  static constexpr absl::Duration kStickyPollerGone = absl::Seconds(10);

  Clock& clock_;
  TimerService& timers_;
  const BacklogOptions backlog_;
  // Serializes the store calls (taken before mu_, never while holding it),
  // so that a spill and a refill see each other's effect on `more`.
  absl::Mutex store_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Mutex mu_;
  std::map<TaskQueueKey, Queue> queues_ ABSL_GUARDED_BY(mu_);
  uint64_t next_poller_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace zaman::matching
