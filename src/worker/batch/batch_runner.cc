#include "worker/batch/batch_runner.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/errors.h"
#include "visibility/query.h"

namespace zaman::worker::batch {
namespace {

namespace enums = ::temporal::api::enums::v1;
namespace wsv1 = ::temporal::api::workflowservice::v1;
using ::google::protobuf::util::TimeUtil;
using temporal::api::common::v1::WorkflowExecution;
using Request = wsv1::StartBatchOperationRequest;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// One operation's worth of tokens, give or take rounding.
constexpr double kWhole = 1 - 1e-9;

// Failures a later attempt may not see (the store or a shard away for a
// moment): the run is tried again at the next pass, not counted.
bool Transient(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kDeadlineExceeded ||
         s.code() == absl::StatusCode::kAborted;
}

// Waits for one history mutation's answer.
class Reply {
 public:
  template <typename T>
  history::Done<T> Callback() {
    return [this](absl::StatusOr<T> result) {
      status_ = result.status();
      done_.Notify();
    };
  }
  absl::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }

 private:
  absl::Notification done_;
  absl::Status status_;
};

}  // namespace

BatchRunner::BatchRunner(persistence::JobStore& jobs, persistence::NamespaceStore& namespaces,
                         persistence::VisibilityStore& visibility, history::HistoryClient& history, Clock& clock,
                         TimerService& timers, ThreadPool& pool, BatchRunnerOptions options)
    : jobs_(jobs),
      namespaces_(namespaces),
      visibility_(visibility),
      history_(history),
      clock_(clock),
      timers_(timers),
      pool_(pool),
      options_(options) {}

BatchRunner::~BatchRunner() { Stop(); }

void BatchRunner::Start() {
  absl::MutexLock lock(&mu_);
  stopped_ = false;
  timer_ = timers_.Schedule(clock_.Now() + options_.poll_interval, [this] { pool_.Post([this] { ScheduleNext(); }); });
}

void BatchRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    timers_.Cancel(timer_);
  }
  absl::MutexLock wait_for_pass(&pass_mu_);
}

void BatchRunner::ScheduleNext() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
  }
  RunDue();
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  timer_ = timers_.Schedule(clock_.Now() + options_.poll_interval, [this] { pool_.Post([this] { ScheduleNext(); }); });
}

int64_t BatchRunner::RunDue() {
  absl::MutexLock one_at_a_time(&pass_mu_);
  absl::StatusOr<std::vector<persistence::StoredJob>> due =
      jobs_.DueJobs(kJobKind, clock_.Now(), options_.jobs_per_poll);
  if (!due.ok()) {
    spdlog::warn("batch: looking for due jobs: {}", due.status().ToString());
    return 0;
  }
  int64_t applied = 0;
  for (const persistence::StoredJob& job : *due) applied += Work(job);
  return applied;
}

int64_t BatchRunner::Work(const persistence::StoredJob& stored) {
  const absl::Time now = clock_.Now();
  absl::StatusOr<BatchJob> job = ParseJob(stored);
  if (!job.ok()) {
    spdlog::error("batch: {}", job.status().ToString());
    persistence::StoredJob parked = stored;
    parked.wake_at = absl::InfiniteFuture();  // not again and again
    (void)jobs_.UpdateJob(parked, stored.version);
    return 0;
  }
  absl::StatusOr<persistence::StoredNamespace> stored_ns = namespaces_.GetNamespaceById(job->namespace_id());
  if (!stored_ns.ok()) {
    spdlog::warn("batch {}: its namespace: {}", stored.job_id, stored_ns.status().ToString());
    return 0;
  }
  if (job->state() != enums::BATCH_OPERATION_STATE_RUNNING) {
    Retire(stored, *job, FromProto(stored_ns->record.config().workflow_execution_retention_ttl()), now);
    return 0;
  }

  // Take the job: until the lease runs out no other runner sees it due.
  persistence::StoredJob claimed = stored;
  claimed.wake_at = now + options_.lease;
  if (absl::Status s = jobs_.UpdateJob(claimed, stored.version); !s.ok()) {
    if (!errors::IsConditionFailed(s)) spdlog::warn("batch {}: taking it: {}", stored.job_id, s.ToString());
    return 0;  // another runner took it, or it was stopped
  }
  claimed.version = stored.version + 1;

  history::NamespaceRef ns{job->namespace_id(), stored_ns->record.info().name()};
  ns.search_attributes = std::make_shared<const visibility::SearchAttributeTypes>(
      stored_ns->record.search_attributes().begin(), stored_ns->record.search_attributes().end());

  BatchJob progress = *job;
  auto fail = [&](const absl::Status& why) {
    spdlog::warn("batch {}: failed: {}", stored.job_id, why.ToString());
    progress.set_state(enums::BATCH_OPERATION_STATE_FAILED);
    progress.set_failure(std::string(why.message()));
    *progress.mutable_close_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    Checkpoint(claimed, *job, progress, now);
  };

  if (!progress.counted()) {
    if (progress.query().empty()) {
      progress.set_total_estimate(progress.executions_size());
    } else {
      absl::StatusOr<visibility::Query> query = visibility::ParseQuery(progress.query(), *ns.search_attributes);
      if (!query.ok()) {
        fail(query.status());
        return 0;
      }
      visibility::LeaveOutDivisionsUnlessNamed(*query);  // not the schedules' rows, as on Temporal
      absl::StatusOr<persistence::VisibilityCount> count = visibility_.Count(ns.id, *query);
      if (!count.ok()) {
        spdlog::warn("batch {}: counting its runs: {}", stored.job_id, count.status().ToString());
        Checkpoint(claimed, *job, progress, now + options_.poll_interval);
        return 0;
      }
      progress.set_total_estimate(count->count);
    }
    progress.set_counted(true);
  }

  const double rate = progress.rate() > 0 ? progress.rate() : kMaxOperationsPerSecond;
  const double capacity = std::max(1.0, std::ceil(rate));
  auto [bucket, fresh] = buckets_.try_emplace(stored.job_id, Bucket{capacity, now});
  if (!fresh) {
    bucket->second.tokens =
        std::min(capacity, bucket->second.tokens + absl::ToDoubleSeconds(now - bucket->second.refilled) * rate);
    bucket->second.refilled = now;
  }
  Bucket& tokens = bucket->second;

  int64_t applied = 0;
  bool finished = false;
  bool retry_soon = false;
  PageCursor cursor;
  while (tokens.tokens >= kWhole) {
    absl::StatusOr<std::optional<WorkflowExecution>> next = NextRun(ns, progress, cursor);
    if (!next.ok()) {
      if (Transient(next.status())) {
        retry_soon = true;
        break;
      }
      fail(next.status());
      buckets_.erase(stored.job_id);
      return applied;
    }
    if (!next->has_value()) {
      finished = true;
      break;
    }
    const WorkflowExecution& run = **next;
    absl::Status s = Apply(ns, progress, run);
    if (Transient(s)) {
      retry_soon = true;
      break;
    }
    tokens.tokens -= 1;
    ++applied;
    // NotFound: the run closed or went away meanwhile, which is what the
    // operation wanted (as Temporal counts it).
    if (s.ok() || s.code() == absl::StatusCode::kNotFound) {
      progress.set_success_count(progress.success_count() + 1);
    } else {
      spdlog::info("batch {}: {} {}: {}", stored.job_id, run.workflow_id(), run.run_id(), s.ToString());
      progress.set_failure_count(progress.failure_count() + 1);
    }
    if (progress.query().empty()) {
      progress.set_next_execution(progress.next_execution() + 1);
    } else {
      progress.add_done_in_page(run.run_id());
    }
  }

  absl::Time wake_at = now;
  if (finished) {
    progress.set_state(enums::BATCH_OPERATION_STATE_COMPLETED);
    *progress.mutable_close_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    buckets_.erase(stored.job_id);
  } else if (retry_soon) {
    wake_at = now + options_.poll_interval;
  } else {
    wake_at = now + absl::Seconds((1 - tokens.tokens) / rate);
  }
  Checkpoint(claimed, *job, progress, wake_at);
  return applied;
}

void BatchRunner::Retire(const persistence::StoredJob& stored, const BatchJob& job, absl::Duration retention,
                         absl::Time now) {
  buckets_.erase(stored.job_id);
  const absl::Time expires =
      retention > absl::ZeroDuration() ? FromProto(job.close_time()) + retention : absl::InfiniteFuture();
  if (now >= expires) {
    absl::Status s = jobs_.DeleteJob(stored.namespace_id, kJobKind, stored.job_id);
    if (!s.ok() && s.code() != absl::StatusCode::kNotFound) {
      spdlog::warn("batch {}: deleting it after retention: {}", stored.job_id, s.ToString());
    }
    return;
  }
  persistence::StoredJob sleeping = stored;
  sleeping.wake_at = expires;
  (void)jobs_.UpdateJob(sleeping, stored.version);  // a conflict: whoever changed it looks again
}

absl::StatusOr<std::optional<WorkflowExecution>> BatchRunner::NextRun(const history::NamespaceRef& ns, BatchJob& job,
                                                                       PageCursor& cursor) {
  if (job.query().empty()) {
    if (job.next_execution() >= job.executions_size()) return std::nullopt;
    return job.executions(static_cast<int>(job.next_execution()));
  }
  for (;;) {
    if (!cursor.loaded) {
      absl::StatusOr<visibility::Query> query = visibility::ParseQuery(job.query(), *ns.search_attributes);
      if (!query.ok()) return query.status();
      visibility::LeaveOutDivisionsUnlessNamed(*query);
      // The page is listed again from its start at every pass: rows the
      // job changed may have left it (keyset pages stay valid), and those
      // still in it are skipped by run id.
      absl::StatusOr<persistence::VisibilityPage> page =
          visibility_.List(ns.id, *query, job.query(), options_.page_size, job.page_token());
      if (!page.ok()) return page.status();
      cursor = PageCursor{true, {}, 0, page->next_page_token};
      for (const auto& info : page->executions) cursor.runs.push_back(info.execution());
    }
    for (; cursor.next < cursor.runs.size(); ++cursor.next) {
      const WorkflowExecution& run = cursor.runs[cursor.next];
      if (std::find(job.done_in_page().begin(), job.done_in_page().end(), run.run_id()) ==
          job.done_in_page().end()) {
        return run;
      }
    }
    if (cursor.next_page_token.empty()) return std::nullopt;
    job.set_page_token(cursor.next_page_token);
    job.clear_done_in_page();
    cursor.loaded = false;
  }
}

absl::Status BatchRunner::Apply(const history::NamespaceRef& ns, const BatchJob& job,
                                const WorkflowExecution& execution) {
  const Request& request = job.request();
  Reply reply;
  switch (request.operation_case()) {
    case Request::kTerminationOperation: {
      wsv1::TerminateWorkflowExecutionRequest r;
      r.set_namespace_(ns.name);
      *r.mutable_workflow_execution() = execution;
      r.set_reason(request.reason());
      if (request.termination_operation().has_details()) {
        *r.mutable_details() = request.termination_operation().details();
      }
      r.set_identity(request.termination_operation().identity());
      history_.TerminateWorkflow(ns, std::move(r), reply.Callback<bool>());
      break;
    }
    case Request::kCancellationOperation: {
      wsv1::RequestCancelWorkflowExecutionRequest r;
      r.set_namespace_(ns.name);
      *r.mutable_workflow_execution() = execution;
      r.set_reason(request.reason());
      r.set_identity(request.cancellation_operation().identity());
      r.set_request_id(OperationRequestId(request.job_id(), execution));
      history_.RequestCancelWorkflow(ns, std::move(r), reply.Callback<bool>());
      break;
    }
    case Request::kSignalOperation: {
      const auto& op = request.signal_operation();
      wsv1::SignalWorkflowExecutionRequest r;
      r.set_namespace_(ns.name);
      *r.mutable_workflow_execution() = execution;
      r.set_signal_name(op.signal());
      if (op.has_input()) *r.mutable_input() = op.input();
      if (op.has_header()) *r.mutable_header() = op.header();
      r.set_identity(op.identity());
      r.set_request_id(OperationRequestId(request.job_id(), execution));
      history_.SignalWorkflow(ns, std::move(r), reply.Callback<bool>());
      break;
    }
    case Request::kDeletionOperation:
      history_.DeleteWorkflow(ns, execution, request.reason(), reply.Callback<bool>());
      break;
    case Request::kResetOperation: {
      const auto& op = request.reset_operation();
      absl::StatusOr<int64_t> point = ResetPoint(ns, job, execution);
      if (!point.ok()) return point.status();
      wsv1::ResetWorkflowExecutionRequest r;
      r.set_namespace_(ns.name);
      *r.mutable_workflow_execution() = execution;
      r.set_reason(request.reason());
      r.set_workflow_task_finish_event_id(*point);
      r.set_request_id(OperationRequestId(request.job_id(), execution));
      if (op.has_options()) {
        r.set_reset_reapply_type(op.options().reset_reapply_type());
        *r.mutable_reset_reapply_exclude_types() = op.options().reset_reapply_exclude_types();
      } else {
        r.set_reset_reapply_type(op.reset_reapply_type());
      }
      *r.mutable_post_reset_operations() = op.post_reset_operations();
      r.set_identity(op.identity());
      history_.ResetWorkflow(ns, std::move(r), reply.Callback<wsv1::ResetWorkflowExecutionResponse>());
      break;
    }
    default:
      // The frontend accepts no other kind.
      return errors::InvalidArgument("unsupported batch operation");
  }
  return reply.Wait();
}

absl::StatusOr<int64_t> BatchRunner::ResetPoint(const history::NamespaceRef& ns, const BatchJob& job,
                                                const WorkflowExecution& execution) {
  const auto& op = job.request().reset_operation();
  bool last = false;
  if (op.has_options()) {
    switch (op.options().target_case()) {
      case temporal::api::common::v1::ResetOptions::kWorkflowTaskId:
        return op.options().workflow_task_id();
      case temporal::api::common::v1::ResetOptions::kFirstWorkflowTask:
        break;
      case temporal::api::common::v1::ResetOptions::kLastWorkflowTask:
        last = true;
        break;
      default:
        return errors::InvalidArgument("unsupported batch reset target");
    }
  } else {
    last = op.reset_type() == enums::RESET_TYPE_LAST_WORKFLOW_TASK;
  }
  // The first (or last) completed workflow task; failing that, the event
  // after the first workflow task scheduled, as Temporal picks it.
  int64_t first_completed = 0, last_completed = 0, first_scheduled = 0;
  wsv1::GetWorkflowExecutionHistoryReverseRequest request;
  request.set_namespace_(ns.name);
  *request.mutable_execution() = execution;
  request.set_maximum_page_size(1000);
  do {
    absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> page =
        history_.GetWorkflowHistoryReverse(ns, request);
    if (!page.ok()) return page.status();
    for (const auto& event : page->history().events()) {
      if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        if (last_completed == 0) last_completed = event.event_id();
        if (last) return last_completed;
        first_completed = event.event_id();
      } else if (event.event_type() == enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
        first_scheduled = event.event_id();
      }
    }
    request.set_next_page_token(page->next_page_token());
  } while (!request.next_page_token().empty());
  if (first_completed != 0) return first_completed;
  if (first_scheduled != 0) return first_scheduled + 1;
  return errors::InvalidArgument("unable to find any scheduled or completed task");
}

void BatchRunner::Checkpoint(persistence::StoredJob claimed, const BatchJob& before, const BatchJob& after,
                             absl::Time wake_at) {
  claimed.state = after.SerializeAsString();
  claimed.wake_at = wake_at;
  absl::Status s = jobs_.UpdateJob(claimed, claimed.version);
  for (int attempt = 0; errors::IsConditionFailed(s) && attempt < 10; ++attempt) {
    // Stopped while this pass ran: it stays stopped, with this pass's work
    // counted. Anything else means the job is no longer this runner's.
    absl::StatusOr<persistence::StoredJob> current = jobs_.GetJob(claimed.namespace_id, kJobKind, claimed.job_id);
    if (!current.ok()) return;
    absl::StatusOr<BatchJob> now = ParseJob(*current);
    if (!now.ok() || now->state() == enums::BATCH_OPERATION_STATE_RUNNING) return;
    now->set_success_count(now->success_count() + after.success_count() - before.success_count());
    now->set_failure_count(now->failure_count() + after.failure_count() - before.failure_count());
    if (!now->counted()) {
      now->set_counted(after.counted());
      now->set_total_estimate(after.total_estimate());
    }
    persistence::StoredJob merged = *current;
    merged.state = now->SerializeAsString();
    s = jobs_.UpdateJob(merged, current->version);
  }
  if (!s.ok() && !errors::IsConditionFailed(s)) {
    // Its lease runs out and the next pass repeats this one's work.
    spdlog::warn("batch {}: recording progress: {}", claimed.job_id, s.ToString());
  }
}

}  // namespace zaman::worker::batch
