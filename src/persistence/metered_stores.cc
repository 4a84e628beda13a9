#include "persistence/metered_stores.h"

namespace zaman::persistence {

using metrics::Service;

MeteredExecutionStore::MeteredExecutionStore(ExecutionStore& real)
    : real_(real),
      acquire_shard_(Service::kHistory, "UpdateShard"),
      commit_(Service::kHistory, "UpdateWorkflowExecution"),
      get_execution_(Service::kHistory, "GetWorkflowExecution"),
      get_current_(Service::kHistory, "GetCurrentExecution"),
      read_history_(Service::kHistory, "ReadHistoryBranch"),
      transfer_tasks_(Service::kHistory, "GetTransferTasks"),
      timer_tasks_(Service::kHistory, "GetTimerTasks") {}

absl::StatusOr<int64_t> MeteredExecutionStore::AcquireShard(int32_t shard_id) {
  return acquire_shard_.Record([&] { return real_.AcquireShard(shard_id); });
}

absl::Status MeteredExecutionStore::Commit(int32_t shard_id, int64_t range_id, const ShardTransaction& tx) {
  return commit_.Record([&] { return real_.Commit(shard_id, range_id, tx); });
}

absl::StatusOr<ExecutionRecord> MeteredExecutionStore::GetExecution(absl::string_view namespace_id,
                                                                    absl::string_view workflow_id,
                                                                    absl::string_view run_id) {
  return get_execution_.Record([&] { return real_.GetExecution(namespace_id, workflow_id, run_id); });
}

absl::StatusOr<std::string> MeteredExecutionStore::GetCurrentRunId(absl::string_view namespace_id,
                                                                   absl::string_view workflow_id) {
  return get_current_.Record([&] { return real_.GetCurrentRunId(namespace_id, workflow_id); });
}

absl::StatusOr<std::vector<HistoryEvent>> MeteredExecutionStore::ReadHistory(
    absl::string_view namespace_id, absl::string_view workflow_id, absl::string_view run_id, int64_t from_event_id,
    int64_t to_event_id, int max_events) {
  return read_history_.Record([&] {
    return real_.ReadHistory(namespace_id, workflow_id, run_id, from_event_id, to_event_id, max_events);
  });
}

absl::StatusOr<std::vector<TransferTask>> MeteredExecutionStore::LoadTransferTasks(int32_t shard_id,
                                                                                   int64_t after_task_id, int limit) {
  return transfer_tasks_.Record([&] { return real_.LoadTransferTasks(shard_id, after_task_id, limit); });
}

absl::StatusOr<std::vector<TimerTask>> MeteredExecutionStore::LoadTimerTasks(int32_t shard_id, TimerKey after,
                                                                             int64_t before_ms, int limit) {
  return timer_tasks_.Record([&] { return real_.LoadTimerTasks(shard_id, after, before_ms, limit); });
}

MeteredVisibilityStore::MeteredVisibilityStore(VisibilityStore& real)
    : real_(real),
      upsert_(Service::kHistory, "UpsertWorkflowExecution"),
      delete_(Service::kHistory, "DeleteWorkflowExecution"),
      list_(Service::kFrontend, "ListWorkflowExecutions"),
      count_(Service::kFrontend, "CountWorkflowExecutions") {}

absl::Status MeteredVisibilityStore::Upsert(const VisibilityRecord& record) {
  return upsert_.Record([&] { return real_.Upsert(record); });
}

absl::Status MeteredVisibilityStore::UpsertMany(const std::vector<VisibilityRecord>& records) {
  return upsert_.Record([&] { return real_.UpsertMany(records); });
}

absl::Status MeteredVisibilityStore::Delete(absl::string_view namespace_id, absl::string_view run_id) {
  return delete_.Record([&] { return real_.Delete(namespace_id, run_id); });
}

absl::StatusOr<VisibilityPage> MeteredVisibilityStore::List(absl::string_view namespace_id,
                                                            const visibility::Query& query,
                                                            absl::string_view query_text, int page_size,
                                                            absl::string_view page_token) {
  return list_.Record([&] { return real_.List(namespace_id, query, query_text, page_size, page_token); });
}

absl::StatusOr<VisibilityCount> MeteredVisibilityStore::Count(absl::string_view namespace_id,
                                                              const visibility::Query& query) {
  return count_.Record([&] { return real_.Count(namespace_id, query); });
}

MeteredMembershipStore::MeteredMembershipStore(MembershipStore& real, Service service)
    : real_(real),
      heartbeat_(service, "UpsertClusterMembership"),
      live_hosts_(service, "GetClusterMembers"),
      leave_(service, "DeleteClusterMembership"),
      prune_(service, "PruneClusterMembership") {}

absl::Status MeteredMembershipStore::Heartbeat(const HostRecord& host) {
  return heartbeat_.Record([&] { return real_.Heartbeat(host); });
}

absl::StatusOr<std::vector<HostRecord>> MeteredMembershipStore::LiveHosts(absl::string_view role,
                                                                         absl::Time alive_at) {
  return live_hosts_.Record([&] { return real_.LiveHosts(role, alive_at); });
}

absl::Status MeteredMembershipStore::Leave(absl::string_view role, absl::string_view host_id) {
  return leave_.Record([&] { return real_.Leave(role, host_id); });
}

absl::Status MeteredMembershipStore::PruneExpired(absl::Time before) {
  return prune_.Record([&] { return real_.PruneExpired(before); });
}

MeteredTaskQueueStore::MeteredTaskQueueStore(TaskQueueStore& real)
    : real_(real),
      acquire_(Service::kMatching, "UpdateTaskQueue"),
      add_(Service::kMatching, "CreateTasks"),
      read_(Service::kMatching, "GetTasks"),
      complete_up_to_(Service::kMatching, "CompleteTasksLessThan"),
      complete_(Service::kMatching, "CompleteTask"),
      count_(Service::kMatching, "CountTasks"),
      list_(Service::kMatching, "ListTaskQueue") {}

absl::StatusOr<PartitionLease> MeteredTaskQueueStore::AcquirePartition(const PartitionKey& key) {
  return acquire_.Record([&] { return real_.AcquirePartition(key); });
}

absl::Status MeteredTaskQueueStore::AddTasks(const PartitionKey& key, int64_t range_id,
                                             const std::vector<QueuedTask>& tasks) {
  return add_.Record([&] { return real_.AddTasks(key, range_id, tasks); });
}

absl::StatusOr<std::vector<QueuedTask>> MeteredTaskQueueStore::ReadTasks(const PartitionKey& key,
                                                                        int64_t after_task_id, int limit) {
  return read_.Record([&] { return real_.ReadTasks(key, after_task_id, limit); });
}

absl::Status MeteredTaskQueueStore::CompleteTasksUpTo(const PartitionKey& key, int64_t range_id,
                                                      int64_t ack_level) {
  return complete_up_to_.Record([&] { return real_.CompleteTasksUpTo(key, range_id, ack_level); });
}

absl::Status MeteredTaskQueueStore::CompleteTask(const PartitionKey& key, int64_t task_id) {
  return complete_.Record([&] { return real_.CompleteTask(key, task_id); });
}

absl::StatusOr<int64_t> MeteredTaskQueueStore::CountTasks(const PartitionKey& key) {
  return count_.Record([&] { return real_.CountTasks(key); });
}

absl::StatusOr<std::vector<PartitionInfo>> MeteredTaskQueueStore::ListPartitions(absl::string_view namespace_id,
                                                                                absl::string_view task_queue) {
  return list_.Record([&] { return real_.ListPartitions(namespace_id, task_queue); });
}

}  // namespace zaman::persistence
