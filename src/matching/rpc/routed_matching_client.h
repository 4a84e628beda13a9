#pragma once

#include <string>

#include "common/timer_service.h"
#include "matching/matching_client.h"
#include "rpc/router.h"

namespace zaman::matching::rpc {

// The MatchingClient of a cluster: each call goes to the matching host that
// owns the task queue on the matching ring (this process's MatchingHost
// when that is this host), and is asked again where the ring points next
// while the answer is retryable (the host left).
class RoutedMatchingClient final : public MatchingClient {
 public:
  // `partitions`: how many partitions each normal task queue has; a task
  // or poll goes to one of them at random (1: every call goes to the queue
  // it names, as a partition forwarding to its root needs).
  RoutedMatchingClient(membership::Resolver& resolver, zaman::rpc::ChannelPool& channels, MatchingClient* local,
                       TimerService& timers, int partitions);

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

  // The ring key of a task queue.
  static std::string KeyOf(const TaskQueueKey& queue);

 // This host's address on the ring, once it listens: calls it owns go
  // to `local` directly.
  void SetLocalAddress(std::string address) { router_.SetLocalAddress(std::move(address)); }

 private:
  // A partition of the queue (sticky queues have one).
  std::string PickPartition(const std::string& name, bool sticky);

  const int partitions_;
  zaman::rpc::Router<MatchingClient> router_;
};

}  // namespace zaman::matching::rpc
