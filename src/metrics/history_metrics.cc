#include "metrics/families.h"

namespace zaman::metrics {
namespace {

using internal::CounterFamily;
using internal::GaugeFamily;
using internal::HistogramFamily;

const std::string& History() { return ServiceName(Service::kHistory); }

}  // namespace

WorkflowOutcomeMetrics::WorkflowOutcomeMetrics(const std::string& namespace_name)
    : history_size_(HistogramFamily("history_size", "Size of a closed run's history, in bytes.")
                        .Add({{"operation", "ExecutionStats"}, {"namespace", namespace_name}, {"service_name", History()}},
                             BytesBuckets())),
      history_count_(HistogramFamily("history_count", "Events in a closed run's history.")
                         .Add({{"operation", "ExecutionStats"}, {"namespace", namespace_name}, {"service_name", History()}},
                              CountBuckets())) {
  static const char* const kNames[] = {"workflow_success",   "workflow_failed", "workflow_timeout",
                                       "workflow_terminate", "workflow_cancel", "workflow_continued_as_new"};
  for (int i = 0; i < 6; ++i) {
    outcomes_[i] = &CounterFamily(kNames[i], "Runs that closed this way.")
                        .Add({{"operation", "CompletionStats"},
                              {"namespace", namespace_name},
                              {"namespace_state", "active"},
                              {"service_name", History()}});
  }
}

WorkflowOutcomeMetrics& WorkflowOutcomeMetrics::ForNamespaceId(absl::string_view namespace_id) {
  static auto* cache = new SeriesCache<WorkflowOutcomeMetrics>([](absl::string_view id) {
    return std::make_unique<WorkflowOutcomeMetrics>(NamespaceName(id));
  });
  return cache->For(namespace_id);
}

void WorkflowOutcomeMetrics::Closed(Outcome outcome, int64_t history_bytes, int64_t history_events) {
  if (!Enabled()) return;
  outcomes_[static_cast<int>(outcome)]->Increment();
  history_size_.Observe(static_cast<double>(history_bytes));
  history_count_.Observe(static_cast<double>(history_events));
}

TaskMetrics::TaskMetrics(std::string operation)
    : requests_(CounterFamily("task_requests", "Outbox and timer tasks processed.")
                    .Add({{"operation", operation}, {"service_name", History()}})),
      errors_(CounterFamily("task_errors", "Outbox and timer tasks that failed (and will be tried again).")
                  .Add({{"operation", operation}, {"service_name", History()}})),
      latency_(HistogramFamily("task_latency", "Time to process an outbox or timer task, in seconds.")
                   .Add({{"operation", operation}, {"service_name", History()}}, SecondsBuckets())) {}

void TaskMetrics::Processed(absl::Duration took) const {
  if (!Enabled()) return;
  requests_.Increment();
  latency_.Observe(Seconds(took));
}

void TaskMetrics::Failed() const {
  if (Enabled()) errors_.Increment();
}

ShardMetrics& ShardMetrics::Get() {
  static auto* metrics = new ShardMetrics;
  return *metrics;
}

ShardMetrics::ShardMetrics()
    : num_shards_(GaugeFamily("numshards_gauge", "History shards this host owns.")
                      .Add({{"operation", "ShardController"}, {"service_name", History()}})),
      created_(CounterFamily("sharditem_created_count", "Shards this host took ownership of.")
                   .Add({{"operation", "ShardController"}, {"service_name", History()}})),
      removed_(CounterFamily("sharditem_removed_count", "Shards this host gave up.")
                   .Add({{"operation", "ShardController"}, {"service_name", History()}})),
      closed_(CounterFamily("shard_closed_count", "Shards closed on this host.")
                  .Add({{"operation", "ShardController"}, {"service_name", History()}})),
      membership_changed_(CounterFamily("membership_changed_count", "Changes of the history hosts' ring.")
                              .Add({{"operation", "ShardController"}, {"service_name", History()}})),
      batch_size_(HistogramFamily("zaman_shard_commit_batch_size", "Mutations per shard transaction (group commit).")
                      .Add({{"service_name", History()}}, CountBuckets())),
      commit_latency_(HistogramFamily("zaman_shard_commit_latency", "Time of one shard transaction, in seconds.")
                          .Add({{"service_name", History()}}, SecondsBuckets())),
      timers_armed_(GaugeFamily("zaman_timers_armed", "Durable timers waiting to fire.")
                        .Add({{"service_name", History()}})) {}

void ShardMetrics::ShardsOwned(int shards) {
  if (Enabled()) num_shards_.Set(shards);
}

void ShardMetrics::ShardAcquired() {
  if (Enabled()) created_.Increment();
}

void ShardMetrics::ShardReleased() {
  if (!Enabled()) return;
  removed_.Increment();
  closed_.Increment();
}

void ShardMetrics::MembershipChanged() {
  if (Enabled()) membership_changed_.Increment();
}

void ShardMetrics::Committed(size_t mutations, absl::Duration took) {
  if (!Enabled()) return;
  batch_size_.Observe(static_cast<double>(mutations));
  commit_latency_.Observe(Seconds(took));
}

void ShardMetrics::TimerArmed() {
  if (Enabled()) timers_armed_.Increment();
}

void ShardMetrics::TimerFired() {
  if (Enabled()) timers_armed_.Decrement();
}

}  // namespace zaman::metrics
