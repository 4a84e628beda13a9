#pragma once

#include <set>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/timer_service.h"
#include "matching/matching_client.h"
#include "matching/matching_engine.h"
#include "matching/query_registry.h"

namespace zaman::matching {

// The matching role of this host, as a MatchingClient: the task queues
// (MatchingEngine), the queries waiting for a worker's answer, and the
// sticky-queue check. The internal gRPC service serves exactly this.
class MatchingHost final : public MatchingClient {
 public:
  MatchingHost(Clock& clock, TimerService& timers);

  void AddTask(const TransferTask& task, std::function<void(absl::Status)> done) override;
  void OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) override;
  void Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
            std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) override;
  absl::StatusOr<std::vector<TransferTask>> DropStickyQueue(const std::string& namespace_id,
                                                            const std::string& sticky_queue) override;
  absl::StatusOr<std::vector<PollerInfo>> Pollers(const TaskQueueKey& queue) override;
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
  // Answers every parked poll with no task and refuses new ones.
  void Shutdown() { engine_.Shutdown(); }

 private:
  // The poll's task, with its query for a query task; a query task whose
  // caller gave up is skipped (`again` polls once more).
  void Deliver(std::optional<TransferTask> task, std::function<void()> again,
               const std::function<void(std::optional<PolledTask>)>& on_done);
  // While a partition has a backlog, offers its tasks to the root's
  // pollers, a few times a second.
  void Drain(const TaskQueueKey& partition, absl::Duration after);

  Clock& clock_;
  TimerService& timers_;
  MatchingEngine engine_;
  QueryRegistry queries_;
  MatchingClient* forwarder_ = nullptr;
  absl::Mutex mu_;
  std::set<TaskQueueKey> draining_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::matching
