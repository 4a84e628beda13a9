#pragma once

// Stores put in front of any backend's that count each call as Temporal's
// persistence_requests, persistence_errors and persistence_latency
// (metrics/metrics.h), under Temporal's operation names.

#include "metrics/metrics.h"
#include "persistence/execution_store.h"
#include "persistence/membership_store.h"
#include "persistence/task_queue_store.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence {

class MeteredExecutionStore final : public ExecutionStore {
 public:
  explicit MeteredExecutionStore(ExecutionStore& real);

  absl::StatusOr<int64_t> AcquireShard(int32_t shard_id) override;
  absl::Status Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) override;
  bool WritesVisibility() const override { return real_.WritesVisibility(); }
  absl::StatusOr<ExecutionRecord> GetExecution(absl::string_view namespace_id, absl::string_view workflow_id,
                                               absl::string_view run_id) override;
  absl::StatusOr<std::string> GetCurrentRunId(absl::string_view namespace_id, absl::string_view workflow_id) override;
  absl::StatusOr<std::vector<HistoryEvent>> ReadHistory(absl::string_view namespace_id, absl::string_view workflow_id,
                                                        absl::string_view run_id, int64_t from_event_id,
                                                        int64_t to_event_id, int max_events) override;
  absl::StatusOr<std::vector<TransferTask>> LoadTransferTasks(int32_t shard_id, int64_t after_task_id,
                                                              int limit) override;
  absl::StatusOr<std::vector<TimerTask>> LoadTimerTasks(int32_t shard_id, TimerKey after, int64_t before_ms,
                                                        int limit) override;

 private:
  ExecutionStore& real_;
  metrics::StoreOperationMetrics acquire_shard_, commit_, get_execution_, get_current_, read_history_,
      transfer_tasks_, timer_tasks_;
};

class MeteredVisibilityStore final : public VisibilityStore {
 public:
  explicit MeteredVisibilityStore(VisibilityStore& real);

  absl::Status Upsert(const VisibilityRecord& record) override;
  absl::Status UpsertMany(const std::vector<VisibilityRecord>& records) override;
  absl::Status Delete(absl::string_view namespace_id, absl::string_view run_id) override;
  absl::StatusOr<VisibilityPage> List(absl::string_view namespace_id, const visibility::Query& query,
                                      absl::string_view query_text, int page_size,
                                      absl::string_view page_token) override;
  absl::StatusOr<VisibilityCount> Count(absl::string_view namespace_id, const visibility::Query& query) override;

 private:
  VisibilityStore& real_;
  metrics::StoreOperationMetrics upsert_, delete_, list_, count_;
};

// Counted under the role whose host heartbeats (Temporal labels membership
// calls with the calling service too).
class MeteredMembershipStore final : public MembershipStore {
 public:
  MeteredMembershipStore(MembershipStore& real, metrics::Service service);

  absl::Status Heartbeat(const HostRecord& host) override;
  absl::StatusOr<std::vector<HostRecord>> LiveHosts(absl::string_view role, absl::Time alive_at) override;
  absl::Status Leave(absl::string_view role, absl::string_view host_id) override;
  absl::Status PruneExpired(absl::Time before) override;

 private:
  MembershipStore& real_;
  metrics::StoreOperationMetrics heartbeat_, live_hosts_, leave_, prune_;
};

class MeteredTaskQueueStore final : public TaskQueueStore {
 public:
  explicit MeteredTaskQueueStore(TaskQueueStore& real);

  absl::StatusOr<PartitionLease> AcquirePartition(const PartitionKey& key) override;
  absl::Status AddTasks(const PartitionKey& key, int64_t range_id, const std::vector<QueuedTask>& tasks) override;
  absl::StatusOr<std::vector<QueuedTask>> ReadTasks(const PartitionKey& key, int64_t after_task_id,
                                                    int limit) override;
  absl::Status CompleteTasksUpTo(const PartitionKey& key, int64_t range_id, int64_t ack_level) override;
  absl::Status CompleteTask(const PartitionKey& key, int64_t task_id) override;
  absl::StatusOr<int64_t> CountTasks(const PartitionKey& key) override;
  absl::StatusOr<std::vector<PartitionInfo>> ListPartitions(absl::string_view namespace_id,
                                                            absl::string_view task_queue) override;

 private:
  TaskQueueStore& real_;
  metrics::StoreOperationMetrics acquire_, add_, read_, complete_up_to_, complete_, count_, list_;
};

}  // namespace zaman::persistence
