#include "metrics/families.h"

namespace zaman::metrics {
namespace {

using internal::CounterFamily;
using internal::HistogramFamily;

prometheus::Labels QueueLabels(const std::string& namespace_id, const std::string& task_queue, bool sticky,
                               bool activity) {
  return {{"namespace", NamespaceName(namespace_id)},
          {"taskqueue", sticky ? "__sticky__" : task_queue},
          {"task_type", activity ? "Activity" : "Workflow"},
          {"operation", "TaskQueueMgr"},
          {"service_name", ServiceName(Service::kMatching)}};
}

}  // namespace

TaskQueueMetrics::TaskQueueMetrics(const std::string& namespace_id, const std::string& task_queue, bool sticky,
                                   bool activity)
    : TaskQueueMetrics(QueueLabels(namespace_id, task_queue, sticky, activity)) {}

TaskQueueMetrics::TaskQueueMetrics(const prometheus::Labels& labels)
    : poll_success_(CounterFamily("poll_success", "Polls that got a task.").Add(labels)),
      poll_success_sync_(CounterFamily("poll_success_sync", "Polls that got a task at once from its producer.").Add(labels)),
      poll_timeouts_(CounterFamily("poll_timeouts", "Polls that ended without a task.").Add(labels)),
      syncmatch_latency_(HistogramFamily("syncmatch_latency", "Time to hand a task to a waiting poll, in seconds.")
                             .Add(labels, SecondsBuckets())),
      asyncmatch_latency_(HistogramFamily("asyncmatch_latency", "Time a task waited in the backlog, in seconds.")
                              .Add(labels, SecondsBuckets())),
      schedule_to_start_(HistogramFamily("task_schedule_to_start_latency",
                                         "Time from a task reaching matching to a worker getting it, in seconds.")
                             .Add(labels, SecondsBuckets())),
      backlog_(internal::GaugeFamily("approximate_backlog_count", "Tasks waiting for a poll.").Add(labels)) {}

void TaskQueueMetrics::TaskMatched(bool sync, absl::Duration waited) {
  if (!Enabled()) return;
  poll_success_.Increment();
  if (sync) {
    poll_success_sync_.Increment();
    syncmatch_latency_.Observe(Seconds(waited));
  } else {
    asyncmatch_latency_.Observe(Seconds(waited));
  }
  schedule_to_start_.Observe(Seconds(waited));
}

void TaskQueueMetrics::PollTimedOut() {
  if (Enabled()) poll_timeouts_.Increment();
}

void TaskQueueMetrics::BacklogIs(size_t tasks) {
  if (Enabled()) backlog_.Set(static_cast<double>(tasks));
}

}  // namespace zaman::metrics
