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

namespace zaman::matching {

// The matching role's task queues: hands tasks to long-polling workers. A poll with
// nothing to do is parked as a callback (no thread waits) until a task
// arrives (sync match) or its deadline passes; tasks nobody is polling for
// wait in the queue's backlog. The backlog lives in memory: each task is
// still an outbox row in the history store until a worker has started it,
// so after a restart history hands every such task over again.
// Thread-safe; callbacks run outside its lock. MatchingHost (the role's
// MatchingClient) puts queries and sticky routing on top.
class MatchingEngine final {
 public:
  MatchingEngine(Clock& clock, TimerService& timers);
  ~MatchingEngine();

  // A task for the queue's next poller (or its backlog).
  void AddTask(const TransferTask& task);
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
    absl::Time since;  // when matching got it
  };
  struct Queue {
    std::deque<Backlogged> backlog;
    std::deque<Poller> pollers;
    std::map<std::string, absl::Time> poller_seen;  // identity -> last poll
    // Made by the first task, which tells whether the queue is sticky (a
    // poll does not); polls that time out before it are not counted.
    std::unique_ptr<metrics::TaskQueueMetrics> metrics;
    metrics::OperationMetrics::Series* add_task = nullptr;  // AddWorkflowTask/AddActivityTask
  };

  // The queue, with its series once `task` is known.
  Queue& QueueOf(const TaskQueueKey& key, const TransferTask* task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void Expire(const TaskQueueKey& queue, uint64_t poller_id);

  // A sticky queue nobody polled for this long has lost its worker.
  static constexpr absl::Duration kStickyPollerGone = absl::Seconds(10);

  Clock& clock_;
  TimerService& timers_;
  absl::Mutex mu_;
  std::map<TaskQueueKey, Queue> queues_ ABSL_GUARDED_BY(mu_);
  uint64_t next_poller_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace zaman::matching
