#include "matching/matching_host.h"

#include "common/errors.h"

namespace zaman::matching {

MatchingHost::MatchingHost(Clock& clock, TimerService& timers) : timers_(timers), engine_(clock, timers) {}

void MatchingHost::AddTask(const TransferTask& task, std::function<void(absl::Status)> done) {
  if (task.kind() == TransferTask::WORKFLOW_TASK && task.query_id().empty() &&
      task.task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY &&
      !engine_.StickyWorkerAvailable(task.namespace_id(), task.task_queue().name())) {
    return done(errors::StickyWorkerUnavailable("no worker polls the sticky queue " + task.task_queue().name()));
  }
  engine_.AddTask(task);
  done(absl::OkStatus());
}

void MatchingHost::Poll(const TaskQueueKey& queue, const std::string& identity, absl::Time deadline,
                        std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) {
  engine_.Poll(queue, identity, deadline, abandoned,
               [this, queue, identity, deadline, abandoned, on_done](std::optional<TransferTask> task) {
                 if (!task) return on_done(std::nullopt);
                 PolledTask polled{*std::move(task), std::nullopt};
                 if (!polled.task.query_id().empty()) {
                   polled.query = queries_.Get(polled.task.query_id());
                   // Its caller gave up: wait for other work.
                   if (!polled.query) return Poll(queue, identity, deadline, abandoned, on_done);
                 }
                 on_done(std::move(polled));
               });
}

absl::StatusOr<std::vector<TransferTask>> MatchingHost::DropStickyQueue(const std::string& namespace_id,
                                                                        const std::string& sticky_queue) {
  return engine_.DropStickyQueue(namespace_id, sticky_queue);
}

absl::StatusOr<std::vector<PollerInfo>> MatchingHost::Pollers(const TaskQueueKey& queue) {
  return engine_.Pollers(queue);
}

void MatchingHost::QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                                 absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) {
  const std::string query_id = query_task.query_id();
  queries_.Add(query_id, std::move(query), std::move(done));
  timers_.Schedule(deadline, [this, query_id] {
    queries_.Fail(query_id, absl::DeadlineExceededError("query timed out before a worker answered"));
  });
  engine_.AddTask(query_task);
}

void MatchingHost::RespondQueryTask(const TaskQueueKey&, const std::string& query_id, QueryAnswer answer,
                                    std::function<void(absl::Status)> done) {
  if (!queries_.Complete(query_id, answer)) {
    return done(absl::NotFoundError("query task not found, or its caller stopped waiting"));
  }
  done(absl::OkStatus());
}

}  // namespace zaman::matching
