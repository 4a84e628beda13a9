#pragma once

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
  void Poll(const TaskQueueKey& queue, const std::string& identity, absl::Time deadline,
            std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) override;
  absl::StatusOr<std::vector<TransferTask>> DropStickyQueue(const std::string& namespace_id,
                                                            const std::string& sticky_queue) override;
  absl::StatusOr<std::vector<PollerInfo>> Pollers(const TaskQueueKey& queue) override;
  void QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                     absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) override;
  void RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id, QueryAnswer answer,
                        std::function<void(absl::Status)> done) override;

  MatchingEngine& engine() { return engine_; }
  // Answers every parked poll with no task and refuses new ones.
  void Shutdown() { engine_.Shutdown(); }

 private:
  TimerService& timers_;
  MatchingEngine engine_;
  QueryRegistry queries_;
};

}  // namespace zaman::matching
