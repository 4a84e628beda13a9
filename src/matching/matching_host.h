#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "matching/matching_client.h"
#include "matching/matching_engine.h"
#include "matching/query_registry.h"
#include "matching/task_rates.h"

namespace zaman::matching {

// The matching role of this host, as a MatchingClient: the task queues
// (MatchingEngine), the queries waiting for a worker's answer, and the
// sticky-queue check. The internal gRPC service serves exactly this.
class MatchingHost final : public MatchingClient {
 public:
  // `backlog.store` set: tasks beyond the in-memory buffer wait in the
  // store; the engine's calls that may touch it run on `store_pool`.
  MatchingHost(Clock& clock, TimerService& timers, BacklogOptions backlog = {}, ThreadPool* store_pool = nullptr);

  void AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) override;
  void OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) override;
  void Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
            std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) override;
  absl::StatusOr<std::vector<TransferTask>> DropStickyQueue(const std::string& namespace_id,
                                                            const std::string& sticky_queue) override;
  absl::StatusOr<TaskQueueDescription> Describe(const TaskQueueKey& queue, bool sticky) override;
  void QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                     absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) override;
  void RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id, QueryAnswer answer,
                        std::function<void(absl::Status)> done) override;

  // In a cluster: where the partitions of a queue send what they cannot
  // match themselves — their tasks, offered to pollers waiting at the
  // queue's root partition, and their polls when they have no backlog.
  // Null (one host): queues are not partitioned.
  void SetForwarder(MatchingClient* root) { forwarder_ = root; }

  MatchingEngine& engine() { return engine_; }
  // Answers every parked poll with no task (those sent on to a root
  // partition too) and refuses new ones.
  void Shutdown();

 private:
  // The poll's task, with its query for a query task; a query task whose
  // caller gave up is skipped (`again` polls once more).
  void Deliver(std::optional<TransferTask> task, std::function<void()> again,
               const std::function<void(std::optional<PolledTask>)>& on_done);
  // While a partition has a backlog, offers its tasks to the root's
  // pollers, a few times a second.
  void Drain(const TaskQueueKey& partition, absl::Duration after);
  void DrainOne(const TaskQueueKey& partition);

  // Runs `work` where it may block on the store.
  void MayBlock(std::function<void()> work);

  Clock& clock_;
  TimerService& timers_;
  ThreadPool* const store_pool_;
  MatchingEngine engine_;
  QueryRegistry queries_;
  TaskQueueRates rates_;
  MatchingClient* forwarder_ = nullptr;
  // A poll this host sent on to its queue's root: answered once, by the
  // root or by Shutdown, whichever comes first.
  struct Forwarded {
    std::atomic<bool> answered{false};
    std::function<void(std::optional<PolledTask>)> on_done;
  };
  absl::Mutex mu_;
  std::set<TaskQueueKey> draining_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::shared_ptr<Forwarded>> forwarded_ ABSL_GUARDED_BY(mu_);
  uint64_t next_forwarded_ ABSL_GUARDED_BY(mu_) = 1;
  std::atomic<bool> shut_down_{false};
};

}  // namespace zaman::matching
