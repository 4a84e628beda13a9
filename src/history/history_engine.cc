#include "history/history_engine.h"

#include <spdlog/spdlog.h>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_metrics.h"
#include "history/retry_policy.h"
#include "history/run_chain.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

constexpr absl::Duration kDefaultWorkflowTaskTimeout = absl::Seconds(10);
constexpr absl::Duration kMaxWorkflowTaskTimeout = absl::Seconds(120);
constexpr absl::Duration kHistoryLongPoll = absl::Seconds(20);


absl::Status AlreadyStarted(const MutableState& running) {
  absl::Status status = absl::AlreadyExistsError(absl::StrCat(
      "Workflow execution is already running. WorkflowId: ", running.workflow_id(), ", RunId: ", running.run_id(),
      "."));
  return errors::WithWorkflowAlreadyStarted(status, running.start_request_id(), running.run_id(),
                                            running.first_execution_run_id());
}

}  // namespace

absl::Status AlreadyCompleted() { return absl::NotFoundError("workflow execution already completed"); }

absl::Status WorkflowTaskNotFound() { return absl::NotFoundError("Workflow task not found."); }
absl::Status ActivityTaskNotFound() { return absl::NotFoundError("Activity task not found."); }

std::string EncodeToken(const TaskToken& token) { return token.SerializeAsString(); }

temporal::api::taskqueue::v1::TaskQueue NormalQueue(const temporal::api::taskqueue::v1::TaskQueue& queue) {
  temporal::api::taskqueue::v1::TaskQueue normal;
  normal.set_name(queue.name());
  normal.set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  return normal;
}

HistoryEngine::HistoryEngine(persistence::ExecutionStore& store, persistence::VisibilityStore& visibility,
                             Clock& clock, TimerService& timers, Random& random, int num_shards, TaskSink& sink,
                             ThreadPool& read_pool)
    : store_(store),
      visibility_(visibility),
      clock_(clock),
      timers_(timers),
      random_(random),
      num_shards_(num_shards),
      sink_(sink),
      read_pool_(read_pool),
      updates_(timers) {}

HistoryEngine::~HistoryEngine() { Stop(); }

absl::Status HistoryEngine::Start() {
  for (int i = 0; i < num_shards_; ++i) {
    shards_.push_back(std::make_unique<Shard>(i, store_, clock_, timers_, *this));
    if (absl::Status s = shards_.back()->Start(); !s.ok()) return s;
  }
  metrics::ShardMetrics::Get().ShardsOwned(num_shards_);
  metrics::ShardMetrics::Get().MembershipChanged();  // this host joined
  return absl::OkStatus();
}

void HistoryEngine::Stop() {
  ReleaseWaiters();
  for (auto& shard : shards_) shard->Stop();
}

void HistoryEngine::ReleaseWaiters() {
  std::map<RunKey, std::vector<Waiter>> parked;
  {
    absl::MutexLock lock(&waiters_mu_);
    parked.swap(waiters_);
  }
  for (auto& [key, list] : parked) {
    for (Waiter& w : list) {
      timers_.Cancel(w.timer);
      w.then(true);
    }
  }
}

int32_t HistoryEngine::ShardFor(const std::string& namespace_id, const std::string& workflow_id) const {
  // A stable hash (absl::Hash is seeded per process): FNV-1a.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(namespace_id);
  mix(workflow_id);
  return static_cast<int32_t>(h % static_cast<uint64_t>(num_shards_));
}

Shard& HistoryEngine::ShardOf(const std::string& namespace_id, const std::string& workflow_id) {
  return *shards_[ShardFor(namespace_id, workflow_id)];
}

absl::StatusOr<std::string> HistoryEngine::ResolveRunId(const std::string& namespace_id,
                                                        const std::string& workflow_id,
                                                        const std::string& run_id) {
  if (!run_id.empty()) return run_id;
  absl::StatusOr<std::string> current = store_.GetCurrentRunId(namespace_id, workflow_id);
  if (current.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  return current;
}

// ---------------------------------------------------------------------------
// Start


absl::StatusOr<RunChange*> CreateRun(MutationScope& scope, Random& random, const NamespaceRef& ns,
                                     const wsv1::StartWorkflowExecutionRequest& request,
                                     const std::string& expected_current,
                                     const std::function<void(RunChange&)>& before_first_task,
                                     const ParentRef* parent) {
  const absl::Time now = scope.now();
  NewRun spec;
  spec.namespace_id = ns.id;
  spec.workflow_id = request.workflow_id();
  spec.run_id = random.NewUuidV7(now);
  spec.request_id = request.request_id();
  absl::Duration execution_timeout = FromProto(request.workflow_execution_timeout());
  absl::Duration run_timeout = FromProto(request.workflow_run_timeout());
  if (run_timeout == absl::ZeroDuration() || (execution_timeout > absl::ZeroDuration() && run_timeout > execution_timeout)) {
    run_timeout = execution_timeout;
  }
  absl::Duration task_timeout = FromProto(request.workflow_task_timeout());
  if (task_timeout <= absl::ZeroDuration()) task_timeout = kDefaultWorkflowTaskTimeout;
  task_timeout = std::min(task_timeout, kMaxWorkflowTaskTimeout);
  if (run_timeout > absl::ZeroDuration()) task_timeout = std::min(task_timeout, run_timeout);

  StartedAttributes& attrs = spec.started;
  *attrs.mutable_workflow_type() = request.workflow_type();
  *attrs.mutable_task_queue() = NormalQueue(request.task_queue());
  if (request.has_input()) *attrs.mutable_input() = request.input();
  // Timeouts the client left out stay out of the event, as Temporal writes it.
  if (request.has_workflow_execution_timeout()) {
    *attrs.mutable_workflow_execution_timeout() = ToProto(execution_timeout);
  }
  if (request.has_workflow_run_timeout() || run_timeout > absl::ZeroDuration()) {
    *attrs.mutable_workflow_run_timeout() = ToProto(run_timeout);
  }
  *attrs.mutable_workflow_task_timeout() = ToProto(task_timeout);
  attrs.set_initiator(enums::CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED);
  attrs.set_original_execution_run_id(spec.run_id);
  attrs.set_identity(request.identity());
  attrs.set_first_execution_run_id(spec.run_id);
  attrs.set_attempt(1);
  if (execution_timeout > absl::ZeroDuration()) {
    *attrs.mutable_workflow_execution_expiration_time() = ToProto(now + execution_timeout);
  }
  if (request.has_retry_policy()) {
    // Stored with Temporal's defaults filled in, as clients read it back.
    *attrs.mutable_retry_policy() = request.retry_policy();
    ApplyRetryDefaults(*attrs.mutable_retry_policy());
  }
  attrs.set_cron_schedule(request.cron_schedule());
  if (request.has_memo()) *attrs.mutable_memo() = request.memo();
  if (request.search_attributes().indexed_fields_size() > 0) {
    *attrs.mutable_search_attributes() = request.search_attributes();
  }
  if (request.has_header()) *attrs.mutable_header() = request.header();
  if (request.has_priority()) *attrs.mutable_priority() = request.priority();
  if (request.has_user_metadata()) spec.user_metadata = request.user_metadata();
  attrs.set_workflow_id(request.workflow_id());
  // A cron workflow's first run waits for the schedule's next time; a start
  // delay postpones the first workflow task likewise.
  spec.backoff = std::max(FirstCronBackoff(request.cron_schedule(), now), FromProto(request.workflow_start_delay()));
  if (!request.cron_schedule().empty()) attrs.set_initiator(enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
  if (parent != nullptr) {
    attrs.set_parent_workflow_namespace(parent->namespace_name);
    attrs.set_parent_workflow_namespace_id(parent->namespace_id);
    *attrs.mutable_parent_workflow_execution() = parent->execution;
    attrs.set_parent_initiated_event_id(parent->initiated_event_id);
    *attrs.mutable_root_workflow_execution() = parent->root;
  }
  return StartRun(scope, std::move(spec), expected_current, before_first_task);
}

// Writes WorkflowExecutionTerminated (failing a started workflow task
// first) and closes the run.
void TerminateRun(MutationScope& scope, RunChange& run, const std::string& reason,
                  const temporal::api::common::v1::Payloads* details, const std::string& identity) {
  absl::Time now = scope.now();
  MutableState& state = run.state;
  if (state.has_workflow_task() && state.workflow_task().started_event_id() != 0) {
    MaterializeSpeculativeTask(run);
    HistoryEvent& failed = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_TASK_FAILED);
    auto* attrs = failed.mutable_workflow_task_failed_event_attributes();
    attrs->set_scheduled_event_id(state.workflow_task().scheduled_event_id());
    attrs->set_started_event_id(state.workflow_task().started_event_id());
    attrs->set_cause(enums::WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
    attrs->set_identity("history-service");
    state.clear_workflow_task();
  }
  FlushBuffered(run);
  HistoryEvent& terminated = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
  auto* attrs = terminated.mutable_workflow_execution_terminated_event_attributes();
  attrs->set_reason(reason);
  if (details != nullptr) *attrs->mutable_details() = *details;
  attrs->set_identity(identity);
  CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

absl::StatusOr<CurrentRun> LoadCurrentRun(MutationScope& scope, const std::string& namespace_id,
                                          const std::string& workflow_id) {
  absl::StatusOr<std::string> run_id = scope.CurrentRunId(namespace_id, workflow_id);
  if (!run_id.ok()) return run_id.status();
  CurrentRun current{*run_id, nullptr};
  if (current.run_id.empty()) return current;
  absl::StatusOr<RunChange*> loaded = scope.Load(namespace_id, workflow_id, current.run_id);
  if (!loaded.ok()) return loaded.status();
  current.run = *loaded;
  return current;
}

// The start decision for a workflow id whose latest run is `current`
// (nullptr: none). Returns the response, or nullopt to go on and create.
absl::StatusOr<std::optional<wsv1::StartWorkflowExecutionResponse>> ResolveConflict(
    MutationScope& scope, RunChange* current, const wsv1::StartWorkflowExecutionRequest& request) {
  if (current == nullptr) return std::nullopt;
  const MutableState& state = current->state;
  wsv1::StartWorkflowExecutionResponse existing;
  existing.set_run_id(state.run_id());
  existing.set_first_execution_run_id(state.first_execution_run_id());
  if (!request.request_id().empty() && state.start_request_id() == request.request_id()) {
    existing.set_started(true);  // a retry of the start that made this run
    return existing;
  }
  if (IsOpen(state)) {
    switch (request.workflow_id_conflict_policy()) {
      case enums::WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING:
        existing.set_started(false);
        return existing;
      case enums::WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING:
        TerminateRun(scope, *current, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
        return std::nullopt;
      default:
        if (request.workflow_id_reuse_policy() == enums::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
          TerminateRun(scope, *current, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
          return std::nullopt;
        }
        return AlreadyStarted(state);
    }
  }
  switch (request.workflow_id_reuse_policy()) {
    case enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE:
      return errors::WithWorkflowAlreadyStarted(
          absl::AlreadyExistsError(absl::StrCat("Workflow execution already finished and Workflow ID reuse policy "
                                                "does not allow it. WorkflowId: ",
                                                state.workflow_id(), ", RunId: ", state.run_id(), ".")),
          state.start_request_id(), state.run_id(), state.first_execution_run_id());
    case enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
      if (state.status() == enums::WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        return errors::WithWorkflowAlreadyStarted(
            absl::AlreadyExistsError(absl::StrCat("Workflow execution already finished successfully. WorkflowId: ",
                                                  state.workflow_id(), ", RunId: ", state.run_id(), ".")),
            state.start_request_id(), state.run_id(), state.first_execution_run_id());
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}


void HistoryEngine::StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                                  Done<wsv1::StartWorkflowExecutionResponse> done) {
  if (request.request_id().empty()) request.set_request_id(random_.NewUuid());
  ShardOf(ns.id, request.workflow_id())
      .Execute<wsv1::StartWorkflowExecutionResponse>(
          [this, ns, request](MutationScope& scope) -> absl::StatusOr<wsv1::StartWorkflowExecutionResponse> {
            absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, request.workflow_id());
            if (!current.ok()) return current.status();
            auto decided = ResolveConflict(scope, current->run, request);
            if (!decided.ok()) return decided.status();
            if (decided->has_value()) return **decided;
            absl::StatusOr<RunChange*> run = CreateRun(scope, random_, ns, request, current->run_id);
            if (!run.ok()) return run.status();
            wsv1::StartWorkflowExecutionResponse response;
            response.set_run_id((*run)->state.run_id());
            response.set_first_execution_run_id((*run)->state.first_execution_run_id());
            response.set_started(true);
            return response;
          },
          std::move(done));
}

// ---------------------------------------------------------------------------
// Workflow tasks

namespace {

// Checks a workflow task token against the run; NotFound when stale.
absl::StatusOr<RunChange*> LoadForWorkflowTask(MutationScope& scope, const TaskToken& token) {
  absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
  if (!loaded.ok()) {
    return loaded.status().code() == absl::StatusCode::kNotFound ? WorkflowTaskNotFound() : loaded.status();
  }
  const MutableState& state = (*loaded)->state;
  if (!IsOpen(state) || !state.has_workflow_task() ||
      state.workflow_task().scheduled_event_id() != token.scheduled_event_id() ||
      state.workflow_task().started_event_id() != token.started_event_id() ||
      state.workflow_task().attempt() != token.attempt()) {
    return WorkflowTaskNotFound();
  }
  return loaded;
}

// Takes back the outbox task this mutation added to hand the run's task
// (of `kind`, scheduled as `scheduled_event_id`) to matching: it goes to the
// worker in the reply instead.
void DropDispatch(MutationScope& scope, const MutableState& state, TransferTask::Kind kind,
                  int64_t scheduled_event_id) {
  scope.DropTransferTasks([&](const TransferTask& task) {
    return task.kind() == kind && task.scheduled_event_id() == scheduled_event_id &&
           task.namespace_id() == state.namespace_id() && task.workflow_id() == state.workflow_id() &&
           task.run_id() == state.run_id();
  });
}

// The workflow task a completion made, started for the same worker and
// handed back in the reply instead of through matching (as Temporal does
// whenever return_new_workflow_task is set); nullopt if none was made.
std::optional<StartedWorkflowTask> StartNextTaskInline(MutationScope& scope, RunChange& run,
                                                       const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  const MutableState& state = run.state;
  if (!IsOpen(state) || !state.has_workflow_task() || state.workflow_task().started_event_id() != 0) {
    return std::nullopt;
  }
  DropDispatch(scope, state, TransferTask::WORKFLOW_TASK, state.workflow_task().scheduled_event_id());
  // The worker has the run cached: it gets the events since this completion.
  return StartWorkflowTask(scope, run, request.identity(), "request-from-RespondWorkflowTaskCompleted",
                           /*partial_history=*/true);
}

// The activities the worker asked to run itself (request_eager_execution),
// started for it instead of going through matching, as Temporal does while
// the run is open and the activity still pending.
std::vector<wsv1::PollActivityTaskQueueResponse> StartEagerActivities(MutationScope& scope, RunChange& run,
                                                                      const std::vector<int64_t>& scheduled_event_ids,
                                                                      const std::string& namespace_name,
                                                                      const std::string& identity) {
  std::vector<wsv1::PollActivityTaskQueueResponse> tasks;
  MutableState& state = run.state;
  if (!IsOpen(state)) return tasks;
  for (int64_t id : scheduled_event_ids) {
    auto it = state.mutable_activities()->find(id);
    if (it == state.mutable_activities()->end() || it->second.started()) continue;
    DropDispatch(scope, state, TransferTask::ACTIVITY_TASK, id);
    tasks.push_back(StartActivityTask(scope, state, it->second, namespace_name, identity, /*request_id=*/""));
  }
  return tasks;
}

}  // namespace

void HistoryEngine::RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                                 wsv1::RespondWorkflowTaskCompletedRequest request,
                                                 Done<wsv1::RespondWorkflowTaskCompletedResponse> done) {
  // A completion can be answered with an error that still commits (the
  // task is failed: UnhandledCommand, bad attributes).
  struct Completed {
    absl::Status reply = absl::OkStatus();
    UpdateEffects updates;
    RunKey run;
    std::optional<StartedWorkflowTask> next_task;  // return_new_workflow_task
    std::vector<wsv1::PollActivityTaskQueueResponse> eager_activities;
  };
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<Completed>(
          [this, token, request, ns](MutationScope& scope) -> absl::StatusOr<Completed> {
            absl::StatusOr<RunChange*> loaded = LoadForWorkflowTask(scope, token);
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            CommandOutcome outcome =
                ApplyWorkflowTaskCompletion(scope, random_, run, request, ns.name, *ns.search_attributes, updates_);
            Completed completed;
            completed.run = KeyOf(run.state);
            if (!outcome.reject.ok()) return outcome.reject;
            if (outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED &&
                run.state.workflow_task().attempt() > 1 &&
                outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND) {
              // A retry that keeps failing is dropped (nothing written): it
              // times out and is tried again, as Temporal does.
              return errors::InvalidArgument(outcome.reply_message);
            }
            if (outcome.failed_cause != enums::WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED) {
              FailWorkflowTask(scope, run, outcome.failed_cause, &outcome.failure, request.identity());
              completed.reply = errors::InvalidArgument(outcome.reply_message);
              return completed;
            }
            completed.updates = std::move(outcome.updates);
            completed.eager_activities = StartEagerActivities(scope, run, outcome.eager_activities, ns.name,
                                                              request.identity());
            // Updates that arrived while the worker held this task go out
            // on a task of their own.
            if (updates_.HasUnsent(completed.run)) ScheduleWorkflowTask(scope, run, /*speculative=*/true);
            if (request.return_new_workflow_task()) completed.next_task = StartNextTaskInline(scope, run, request);
            return completed;
          },
          [this, done = std::move(done)](absl::StatusOr<Completed> completed) {
            if (!completed.ok()) return done(completed.status());
            for (const std::string& id : completed->updates.accepted) updates_.Accepted(completed->run, id);
            for (const auto& [id, outcome] : completed->updates.completed) {
              updates_.Completed(completed->run, id, outcome);
            }
            if (!completed->reply.ok()) return done(completed->reply);
            wsv1::RespondWorkflowTaskCompletedResponse response;
            response.set_reset_history_event_id(completed->updates.reset_history_event_id);
            for (auto& task : completed->eager_activities) *response.add_activity_tasks() = std::move(task);
            if (!completed->next_task.has_value()) return done(std::move(response));
            SendWorkflowTask(*std::move(completed->next_task),
                             [response = std::move(response), done](
                                 absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> task) mutable {
                               // The task is started; a worker that does not get it
                               // here sees it time out and retried.
                               if (task.ok()) *response.mutable_workflow_task() = *std::move(task);
                               done(std::move(response));
                             });
          });
}

void HistoryEngine::RespondWorkflowTaskFailed(const TaskToken& token, wsv1::RespondWorkflowTaskFailedRequest request,
                                              Done<wsv1::RespondWorkflowTaskFailedResponse> done) {
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<wsv1::RespondWorkflowTaskFailedResponse>(
          [token, request](MutationScope& scope) -> absl::StatusOr<wsv1::RespondWorkflowTaskFailedResponse> {
            absl::StatusOr<RunChange*> loaded = LoadForWorkflowTask(scope, token);
            if (!loaded.ok()) return loaded.status();
            FailWorkflowTask(scope, **loaded, request.cause(), &request.failure(), request.identity());
            return wsv1::RespondWorkflowTaskFailedResponse();
          },
          std::move(done));
}

// ---------------------------------------------------------------------------
// Activities

absl::StatusOr<TaskToken> HistoryEngine::ActivityTokenById(const std::string& namespace_id,
                                                           const std::string& workflow_id,
                                                           const std::string& run_id,
                                                           const std::string& activity_id) {
  absl::StatusOr<std::string> resolved = ResolveRunId(namespace_id, workflow_id, run_id);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, *resolved);
  if (!record.ok()) return record.status();
  for (const auto& [scheduled_id, activity] : record->state.activities()) {
    if (activity.scheduled().activity_id() != activity_id) continue;
    TaskToken token;
    token.set_namespace_id(namespace_id);
    token.set_workflow_id(workflow_id);
    token.set_run_id(*resolved);
    token.set_scheduled_event_id(scheduled_id);
    token.set_attempt(activity.attempt());
    token.set_is_activity(true);
    token.set_activity_id(activity_id);
    return token;
  }
  return ActivityTaskNotFound();
}

void HistoryEngine::RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) {
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<bool>(
          [token, outcome](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
            if (!loaded.ok()) return ActivityTaskNotFound();
            RunChange& run = **loaded;
            MutableState& state = run.state;
            auto it = state.mutable_activities()->find(token.scheduled_event_id());
            if (!IsOpen(state) || it == state.mutable_activities()->end() || !it->second.started() ||
                it->second.attempt() != token.attempt()) {
              return ActivityTaskNotFound();
            }
            persistence::v1::ActivityInfo& activity = it->second;
            switch (outcome.kind) {
              case ActivityOutcome::kCompleted: {
                HistoryEvent event;
                event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
                auto* attrs = event.mutable_activity_task_completed_event_attributes();
                *attrs->mutable_result() = outcome.result;
                attrs->set_scheduled_event_id(activity.scheduled_event_id());
                attrs->set_identity(outcome.identity);
                FinishActivity(scope, run, activity.scheduled_event_id(), std::move(event));
                return true;
              }
              case ActivityOutcome::kFailed: {
                if (outcome.details.payloads_size() > 0) *activity.mutable_heartbeat_details() = outcome.details;
                RetryActivityOrFail(scope, run, activity.scheduled_event_id(), outcome.failure, outcome.identity);
                return true;
              }
              case ActivityOutcome::kCanceled: {
                if (!activity.cancel_requested()) {
                  return errors::InvalidArgument(
                      "unable to mark activity as canceled without activity being request canceled first");
                }
                HistoryEvent event;
                event.set_event_type(enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED);
                auto* attrs = event.mutable_activity_task_canceled_event_attributes();
                if (outcome.details.payloads_size() > 0) *attrs->mutable_details() = outcome.details;
                attrs->set_latest_cancel_requested_event_id(activity.cancel_requested_event_id());
                attrs->set_scheduled_event_id(activity.scheduled_event_id());
                attrs->set_identity(outcome.identity);
                FinishActivity(scope, run, activity.scheduled_event_id(), std::move(event));
                return true;
              }
            }
            return errors::Internal("unknown activity outcome");
          },
          std::move(done));
}

void HistoryEngine::RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                                            Done<HeartbeatReply> done) {
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<HeartbeatReply>(
          [token, details](MutationScope& scope) -> absl::StatusOr<HeartbeatReply> {
            absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
            if (!loaded.ok()) return ActivityTaskNotFound();
            MutableState& state = (*loaded)->state;
            auto it = state.mutable_activities()->find(token.scheduled_event_id());
            if (!IsOpen(state) || it == state.mutable_activities()->end() || !it->second.started() ||
                it->second.attempt() != token.attempt()) {
              return ActivityTaskNotFound();
            }
            *it->second.mutable_heartbeat_details() = details;
            *it->second.mutable_last_heartbeat_time() = ToProto(scope.now());
            return HeartbeatReply{it->second.cancel_requested(), it->second.paused(), it->second.reset_requested()};
          },
          std::move(done));
}

// ---------------------------------------------------------------------------
// Timers

// How long a timer that could not fire waits to try again.
constexpr absl::Duration kTimerRetryDelay = absl::Seconds(1);

void HistoryEngine::TimerDue(int32_t shard_id, const TimerTask& task) {
  const absl::Time due = absl::Now();  // for task_latency
  shards_[shard_id]->Execute<bool>(
      [this, task](MutationScope& scope) -> absl::StatusOr<bool> {
        scope.CompleteTimerTask(task.task_id());
        absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
        if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? absl::StatusOr<bool>(false)
                                                                                      : loaded.status();
        if (absl::Status fired = FireTimer(scope, random_, **loaded, task); !fired.ok()) return fired;
        return true;
      },
      [this, shard_id, task, due](absl::StatusOr<bool> fired) {
        TaskMetricsOf(task).Processed(absl::Now() - due);
        if (fired.ok()) return;
        TaskMetricsOf(task).Failed();
        spdlog::warn("timer {} of {}: {}", task.task_id(), task.workflow_id(), fired.status().ToString());
        // The store was unreachable (a database restarting): nothing was
        // written, and the timer stays due until it fires. A shard that was
        // lost fires its timers on its next owner.
        if (fired.status().code() == absl::StatusCode::kUnavailable && !errors::IsShardOwnershipLost(fired.status())) {
          timers_.Schedule(clock_.Now() + kTimerRetryDelay, [this, shard_id, task] { TimerDue(shard_id, task); });
        }
      });
}

// ---------------------------------------------------------------------------
// Signals, cancellation, termination


absl::StatusOr<RunChange*> LoadRun(MutationScope& scope, const std::string& namespace_id,
                                   const temporal::api::common::v1::WorkflowExecution& execution) {
  std::string run_id = execution.run_id();
  if (run_id.empty()) {
    absl::StatusOr<std::string> current = scope.CurrentRunId(namespace_id, execution.workflow_id());
    if (!current.ok()) return current.status();
    if (current->empty()) {
      return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", execution.workflow_id()));
    }
    run_id = *current;
  }
  absl::StatusOr<RunChange*> loaded = scope.Load(namespace_id, execution.workflow_id(), run_id);
  if (loaded.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", execution.workflow_id()));
  }
  return loaded;
}

absl::StatusOr<RunChange*> LoadOpenRun(MutationScope& scope, const std::string& namespace_id,
                                       const temporal::api::common::v1::WorkflowExecution& execution) {
  absl::StatusOr<RunChange*> loaded = LoadRun(scope, namespace_id, execution);
  if (!loaded.ok()) return loaded.status();
  if (!IsOpen((*loaded)->state)) return AlreadyCompleted();
  return loaded;
}

absl::Status Signal(MutationScope& scope, RunChange& run, const std::string& name,
                    const temporal::api::common::v1::Payloads* input, const std::string& identity,
                    const temporal::api::common::v1::Header* header, const std::string& request_id,
                    const temporal::api::common::v1::WorkflowExecution* external) {
  MutableState& state = run.state;
  if (!request_id.empty()) {
    for (const std::string& seen : state.signal_request_ids()) {
      if (seen == request_id) return absl::OkStatus();  // a retry of a signal already applied
    }
    state.add_signal_request_ids(request_id);
  }
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  auto* attrs = event.mutable_workflow_execution_signaled_event_attributes();
  attrs->set_signal_name(name);
  if (input != nullptr) *attrs->mutable_input() = *input;
  attrs->set_identity(identity);
  if (header != nullptr) *attrs->mutable_header() = *header;
  attrs->set_request_id(request_id);
  if (external != nullptr) *attrs->mutable_external_workflow_execution() = *external;
  AddExternalEvent(run, scope.now(), std::move(event));
  ScheduleWorkflowTask(scope, run);
  return absl::OkStatus();
}


void HistoryEngine::SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                                   Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, request.workflow_execution());
            if (!run.ok()) return run.status();
            absl::Status s = Signal(scope, **run, request.signal_name(),
                                    request.has_input() ? &request.input() : nullptr, request.identity(),
                                    request.has_header() ? &request.header() : nullptr, request.request_id());
            if (!s.ok()) return s;
            return true;
          },
          std::move(done));
}

void HistoryEngine::ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                                         Done<bool> done) {
  ShardOf(ns.id, request.execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, request.execution());
            if (!run.ok()) return run.status();
            ClearStickyTaskQueue((*run)->state);
            return true;
          },
          std::move(done));
}

void HistoryEngine::SignalWithStartWorkflow(const NamespaceRef& ns,
                                            wsv1::SignalWithStartWorkflowExecutionRequest request,
                                            Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) {
  if (request.request_id().empty()) request.set_request_id(random_.NewUuid());
  ShardOf(ns.id, request.workflow_id())
      .Execute<wsv1::SignalWithStartWorkflowExecutionResponse>(
          [this, ns, request](MutationScope& scope) -> absl::StatusOr<wsv1::SignalWithStartWorkflowExecutionResponse> {
            temporal::api::common::v1::WorkflowExecution execution;
            execution.set_workflow_id(request.workflow_id());
            wsv1::SignalWithStartWorkflowExecutionResponse response;
            absl::StatusOr<RunChange*> running = LoadOpenRun(scope, ns.id, execution);
            const bool terminate_running =
                running.ok() &&
                request.workflow_id_conflict_policy() == enums::WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING;
            if (terminate_running) {
              TerminateRun(scope, **running, "TerminateIfRunning WorkflowIdReusePolicy", nullptr, "history-service");
            } else if (running.ok()) {
              absl::Status s = Signal(scope, **running, request.signal_name(),
                                      request.has_signal_input() ? &request.signal_input() : nullptr,
                                      request.identity(), request.has_header() ? &request.header() : nullptr, "");
              if (!s.ok()) return s;
              // The signal of a SignalWithStart does not wait out a start delay.
              EndFirstTaskBackoff(scope, **running);
              response.set_run_id((*running)->state.run_id());
              response.set_started(false);
              return response;
            } else if (running.status().code() != absl::StatusCode::kNotFound) {
              return running.status();
            }
            wsv1::StartWorkflowExecutionRequest start;
            start.set_namespace_(request.namespace_());
            start.set_workflow_id(request.workflow_id());
            *start.mutable_workflow_type() = request.workflow_type();
            *start.mutable_task_queue() = request.task_queue();
            if (request.has_input()) *start.mutable_input() = request.input();
            if (request.has_workflow_execution_timeout()) {
              *start.mutable_workflow_execution_timeout() = request.workflow_execution_timeout();
            }
            if (request.has_workflow_run_timeout()) *start.mutable_workflow_run_timeout() = request.workflow_run_timeout();
            if (request.has_priority()) *start.mutable_priority() = request.priority();
            *start.mutable_workflow_task_timeout() = request.workflow_task_timeout();
            start.set_identity(request.identity());
            start.set_request_id(request.request_id());
            if (request.has_retry_policy()) *start.mutable_retry_policy() = request.retry_policy();
            start.set_cron_schedule(request.cron_schedule());
            *start.mutable_workflow_start_delay() = request.workflow_start_delay();
            if (request.has_memo()) *start.mutable_memo() = request.memo();
            if (request.has_search_attributes()) *start.mutable_search_attributes() = request.search_attributes();
            if (request.has_header()) *start.mutable_header() = request.header();
            if (request.has_user_metadata()) *start.mutable_user_metadata() = request.user_metadata();
            absl::StatusOr<CurrentRun> current = LoadCurrentRun(scope, ns.id, request.workflow_id());
            if (!current.ok()) return current.status();
            if (current->run != nullptr && !terminate_running) {
              // Closed (an open one was signalled above): may its id be reused?
              start.set_workflow_id_reuse_policy(request.workflow_id_reuse_policy());
              auto decided = ResolveConflict(scope, current->run, start);
              if (!decided.ok()) return decided.status();
            }
            absl::Status signalled = absl::OkStatus();
            absl::StatusOr<RunChange*> created =
                CreateRun(scope, random_, ns, start, current->run_id, [&](RunChange& run) {
                  signalled = Signal(scope, run, request.signal_name(),
                                     request.has_signal_input() ? &request.signal_input() : nullptr,
                                     request.identity(), request.has_header() ? &request.header() : nullptr, "");
                });
            if (!created.ok()) return created.status();
            if (!signalled.ok()) return signalled;
            RunChange& run = **created;
            response.set_run_id(run.state.run_id());
            response.set_started(true);
            return response;
          },
          std::move(done));
}

void HistoryEngine::TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                                      Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, request.workflow_execution());
            if (!run.ok()) return run.status();
            TerminateRun(scope, **run, request.reason(), &request.details(), request.identity());
            return true;
          },
          std::move(done));
}

bool RequestCancel(MutationScope& scope, RunChange& run, const std::string& reason, const std::string& identity,
                   int64_t external_initiated_event_id,
                   const temporal::api::common::v1::WorkflowExecution* external) {
  if (run.state.cancel_requested()) return false;
  run.state.set_cancel_requested(true);
  HistoryEvent event;
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
  auto* attrs = event.mutable_workflow_execution_cancel_requested_event_attributes();
  attrs->set_cause(reason);
  attrs->set_identity(identity);
  if (external != nullptr) {
    attrs->set_external_initiated_event_id(external_initiated_event_id);
    *attrs->mutable_external_workflow_execution() = *external;
  }
  AddExternalEvent(run, scope.now(), std::move(event));
  ScheduleWorkflowTask(scope, run);
  return true;
}

void HistoryEngine::RequestCancelWorkflow(const NamespaceRef& ns,
                                          wsv1::RequestCancelWorkflowExecutionRequest request, Done<bool> done) {
  ShardOf(ns.id, request.workflow_execution().workflow_id())
      .Execute<bool>(
          [ns, request](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = LoadOpenRun(scope, ns.id, request.workflow_execution());
            // Cancelling a closed workflow is a successful no-op.
            if (loaded.status().message() == AlreadyCompleted().message()) return false;
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            if (!request.first_execution_run_id().empty() &&
                request.first_execution_run_id() != run.state.first_execution_run_id()) {
              return absl::NotFoundError("workflow not found for the given first execution run id");
            }
            return RequestCancel(scope, run, request.reason(), request.identity());
          },
          std::move(done));
}

// ---------------------------------------------------------------------------
// Reads

absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> HistoryEngine::DescribeWorkflow(
    const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) {
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, request.execution().workflow_id(), request.execution().run_id());
  if (!run_id.ok()) return run_id.status();
  absl::StatusOr<persistence::ExecutionRecord> record =
      store_.GetExecution(ns.id, request.execution().workflow_id(), *run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", request.execution().workflow_id()));
  }
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  wsv1::DescribeWorkflowExecutionResponse response;
  auto* config = response.mutable_execution_config();
  *config->mutable_task_queue() = state.task_queue();
  *config->mutable_workflow_execution_timeout() = state.workflow_execution_timeout();
  *config->mutable_workflow_run_timeout() = state.workflow_run_timeout();
  *config->mutable_default_workflow_task_timeout() = state.workflow_task_timeout();
  *response.mutable_workflow_execution_info() = ExecutionInfoOf(state);
  // The summary and details the start gave are kept on its started event.
  absl::StatusOr<std::vector<HistoryEvent>> first =
      store_.ReadHistory(ns.id, state.workflow_id(), state.run_id(), 1, 2, 1);
  if (!first.ok()) return first.status();
  if (!first->empty() && first->front().has_user_metadata()) {
    *config->mutable_user_metadata() = first->front().user_metadata();
  }
  for (const auto& [scheduled_id, activity] : state.activities()) {
    auto* pending = response.add_pending_activities();
    pending->set_activity_id(activity.scheduled().activity_id());
    *pending->mutable_activity_type() = activity.scheduled().activity_type();
    pending->set_state(activity.cancel_requested() ? enums::PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
                       : activity.started()        ? enums::PENDING_ACTIVITY_STATE_STARTED
                                                   : enums::PENDING_ACTIVITY_STATE_SCHEDULED);
    if (activity.has_heartbeat_details()) *pending->mutable_heartbeat_details() = activity.heartbeat_details();
    if (activity.has_last_heartbeat_time()) *pending->mutable_last_heartbeat_time() = activity.last_heartbeat_time();
    if (activity.started()) *pending->mutable_last_started_time() = activity.started_time();
    pending->set_attempt(activity.attempt());
    *pending->mutable_scheduled_time() = activity.current_attempt_scheduled_time();
    if (activity.has_last_failure()) *pending->mutable_last_failure() = activity.last_failure();
    pending->set_last_worker_identity(activity.started_identity());
    pending->set_paused(activity.paused());
  }
  for (const auto& [initiated_id, child] : state.children()) {
    auto* pending = response.add_pending_children();
    pending->set_workflow_id(child.workflow_id());
    pending->set_run_id(child.run_id());
    pending->set_workflow_type_name(child.workflow_type().name());
    pending->set_initiated_id(initiated_id);
    pending->set_parent_close_policy(child.parent_close_policy());
  }
  if (state.has_workflow_task()) {
    auto* wft = response.mutable_pending_workflow_task();
    wft->set_state(state.workflow_task().started_event_id() != 0 ? enums::PENDING_WORKFLOW_TASK_STATE_STARTED
                                                                 : enums::PENDING_WORKFLOW_TASK_STATE_SCHEDULED);
    *wft->mutable_scheduled_time() = state.workflow_task().scheduled_time();
    if (state.workflow_task().started_event_id() != 0) *wft->mutable_started_time() = state.workflow_task().started_time();
    wft->set_attempt(state.workflow_task().attempt());
  }
  return response;
}

void HistoryEngine::PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                                 Done<QueryTarget> done) {
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, request.execution().workflow_id(), request.execution().run_id());
  if (!run_id.ok()) return done(run_id.status());
  RunKey key{ns.id, request.execution().workflow_id(), *run_id};
  auto attempt = std::make_shared<std::function<void(bool)>>();
  *attempt = [this, key, request, deadline, done, attempt](bool) {
    absl::StatusOr<QueryTarget> target = QueryTargetOf(key, request);
    const bool not_ready = target.status().code() == absl::StatusCode::kFailedPrecondition;
    const bool wait = not_ready || (target.ok() && target->task_pending);
    if (!wait) return done(std::move(target));
    if (clock_.Now() >= deadline) {
      if (not_ready) return done(std::move(target));
      return done(absl::DeadlineExceededError("query timed out waiting for the workflow task in progress"));
    }
    // Try again when the run changes (a workflow task completes).
    WaitForRun(key, deadline, *attempt);
  };
  (*attempt)(false);
}

absl::StatusOr<HistoryEngine::QueryTarget> HistoryEngine::QueryTargetOf(const RunKey& key,
                                                                        const wsv1::QueryWorkflowRequest& request) {
  const auto& [namespace_id, workflow_id, run_id] = key;
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  QueryTarget target;
  target.run_id = run_id;
  target.task_queue = state.task_queue();
  const bool open = IsOpen(state);
  auto condition = request.query_reject_condition();
  if ((condition == enums::QUERY_REJECT_CONDITION_NOT_OPEN && !open) ||
      (condition == enums::QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && !open &&
       state.status() != enums::WORKFLOW_EXECUTION_STATUS_COMPLETED)) {
    target.rejected.emplace().set_status(state.status());
    return target;
  }
  if (state.last_completed_wft_started_event_id() == 0) {
    // No worker has run the workflow code yet: nothing can answer. (The
    // only FailedPrecondition here: PrepareQuery waits on it.)
    return errors::WorkflowNotReady("Workflow task is not completed yet.");
  }
  target.task_pending = open && state.has_workflow_task();
  return target;
}

absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> HistoryEngine::QueryTaskResponse(
    const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) {
  absl::StatusOr<persistence::ExecutionRecord> record =
      store_.GetExecution(task.namespace_id(), task.workflow_id(), task.run_id());
  if (!record.ok()) return record.status();
  const MutableState& state = record->state;
  // The history a worker replays to answer: up to the last completed
  // workflow task (a task in flight is not part of the answer).
  int64_t end = state.next_event_id();
  if (state.has_workflow_task()) end = state.workflow_task().scheduled_event_id();
  absl::StatusOr<std::vector<HistoryEvent>> events =
      store_.ReadHistory(task.namespace_id(), task.workflow_id(), task.run_id(), 1, end, kMaxHistoryPageSize);
  if (!events.ok()) return events.status();
  wsv1::PollWorkflowTaskQueueResponse r;
  TaskToken token;
  token.set_namespace_id(task.namespace_id());
  token.set_workflow_id(task.workflow_id());
  token.set_run_id(task.run_id());
  token.set_query_id(task.query_id());
  r.set_task_token(EncodeToken(token));
  r.mutable_workflow_execution()->set_workflow_id(state.workflow_id());
  r.mutable_workflow_execution()->set_run_id(state.run_id());
  *r.mutable_workflow_type() = state.workflow_type();
  r.set_previous_started_event_id(state.last_completed_wft_started_event_id());
  r.set_started_event_id(0);
  r.set_attempt(1);
  *r.mutable_workflow_execution_task_queue() = NormalQueue(state.task_queue());
  *r.mutable_query() = query;
  int64_t next = events->empty() ? 1 : events->back().event_id() + 1;
  for (auto& e : *events) *r.mutable_history()->add_events() = std::move(e);
  if (next < end) {
    persistence::v1::HistoryPageToken page;
    page.set_run_id(task.run_id());
    page.set_next_event_id(next);
    page.set_end_event_id(end);
    r.set_next_page_token(page.SerializeAsString());
  }
  return r;
}

void HistoryEngine::GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                                       absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done) {
  persistence::v1::HistoryPageToken page;
  if (!request.next_page_token().empty() && !page.ParseFromString(request.next_page_token())) {
    return done(errors::InvalidArgument("Invalid NextPageToken."));
  }
  std::string run_id = request.execution().run_id();
  if (!page.run_id().empty()) {
    if (!run_id.empty() && run_id != page.run_id()) {
      return done(errors::InvalidArgument("RunId in the request does not match the NextPageToken."));
    }
    run_id = page.run_id();
  }
  absl::StatusOr<std::string> resolved = ResolveRunId(ns.id, request.execution().workflow_id(), run_id);
  if (!resolved.ok()) return done(resolved.status());
  const std::string workflow_id = request.execution().workflow_id();
  RunKey key{ns.id, workflow_id, *resolved};
  int page_size = request.maximum_page_size() <= 0 ? kMaxHistoryPageSize
                                                   : std::min<int>(request.maximum_page_size(), kMaxHistoryPageSize);
  const bool close_only = request.history_event_filter_type() == enums::HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;

  // One attempt at answering; `last` says the deadline has come.
  auto attempt = std::make_shared<std::function<void(bool)>>();
  *attempt = [this, key, page, page_size, close_only, request, deadline, done, attempt](bool last) {
    const auto& [namespace_id, workflow_id, run_id] = key;
    absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(namespace_id, workflow_id, run_id);
    if (record.status().code() == absl::StatusCode::kNotFound) {
      return done(absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id)));
    }
    if (!record.ok()) return done(record.status());
    const MutableState& state = record->state;
    const bool open = IsOpen(state);
    wsv1::GetWorkflowExecutionHistoryResponse response;
    response.mutable_history();
    persistence::v1::HistoryPageToken next = page;
    next.set_run_id(run_id);
    if (close_only) {
      if (!open) {
        absl::StatusOr<std::vector<HistoryEvent>> events =
            store_.ReadHistory(namespace_id, workflow_id, run_id, state.next_event_id() - 1, state.next_event_id(), 1);
        if (!events.ok()) return done(events.status());
        for (auto& e : *events) *response.mutable_history()->add_events() = std::move(e);
        return done(std::move(response));
      }
      if (!request.wait_new_event() || last) {
        if (request.wait_new_event()) response.set_next_page_token(next.SerializeAsString());
        return done(std::move(response));
      }
      return WaitForRun(key, deadline, *attempt);
    }
    int64_t from = std::max<int64_t>(page.next_event_id(), 1);
    int64_t to = page.end_event_id() > 0 ? page.end_event_id() : state.next_event_id();
    if (from >= to && open && request.wait_new_event() && !last) return WaitForRun(key, deadline, *attempt);
    absl::StatusOr<std::vector<HistoryEvent>> events =
        store_.ReadHistory(namespace_id, workflow_id, run_id, from, to, page_size);
    if (!events.ok()) return done(events.status());
    int64_t after = events->empty() ? from : events->back().event_id() + 1;
    for (auto& e : *events) *response.mutable_history()->add_events() = std::move(e);
    next.set_next_event_id(after);
    bool more_now = after < to;
    bool more_later = page.end_event_id() == 0 && open && request.wait_new_event();
    if (more_now || more_later) response.set_next_page_token(next.SerializeAsString());
    done(std::move(response));
  };
  read_pool_.Post([attempt] { (*attempt)(false); });
}

void HistoryEngine::WaitForRun(const RunKey& run, absl::Time deadline, std::function<void(bool changed)> then) {
  absl::Time wait_until = std::min(deadline, clock_.Now() + kHistoryLongPoll);
  absl::MutexLock lock(&waiters_mu_);
  uint64_t id = next_waiter_id_++;
  auto timer = timers_.Schedule(wait_until, [this, run, id] {
    std::function<void(bool)> expired;
    {
      absl::MutexLock lock(&waiters_mu_);
      auto it = waiters_.find(run);
      if (it == waiters_.end()) return;
      for (auto w = it->second.begin(); w != it->second.end(); ++w) {
        if (w->id == id) {
          expired = std::move(w->then);
          it->second.erase(w);
          break;
        }
      }
      if (it->second.empty()) waiters_.erase(it);
    }
    if (expired) read_pool_.Post([expired] { expired(true); });
  });
  waiters_[run].push_back(Waiter{id, std::move(then), timer});
}

void HistoryEngine::RunDeleted(const RunKey& run) {
  updates_.RunClosed(run, AlreadyCompleted());
  WakeWaiters(run);
}

void HistoryEngine::DeleteWorkflow(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                                   const std::string& reason, Done<bool> done) {
  ShardOf(ns.id, execution.workflow_id())
      .Execute<bool>(
          [ns, execution, reason](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> loaded = LoadRun(scope, ns.id, execution);
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            // Its parent and children hear of it as of a termination.
            if (IsOpen(run.state)) TerminateRun(scope, run, reason, nullptr, "history-service");
            scope.Delete(run);
            return true;
          },
          std::move(done));
}

absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> HistoryEngine::GetWorkflowHistoryReverse(
    const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) {
  persistence::v1::HistoryPageToken page;
  if (!request.next_page_token().empty() && !page.ParseFromString(request.next_page_token())) {
    return errors::InvalidArgument("Invalid NextPageToken.");
  }
  const std::string& workflow_id = request.execution().workflow_id();
  absl::StatusOr<std::string> run_id =
      ResolveRunId(ns.id, workflow_id, page.run_id().empty() ? request.execution().run_id() : page.run_id());
  if (!run_id.ok()) return run_id.status();
  absl::StatusOr<persistence::ExecutionRecord> record = store_.GetExecution(ns.id, workflow_id, *run_id);
  if (record.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  if (!record.ok()) return record.status();
  const int page_size = request.maximum_page_size() <= 0
                            ? kMaxHistoryPageSize
                            : std::min<int>(request.maximum_page_size(), kMaxHistoryPageSize);
  // Events [from, to): the page ends where the previous one began.
  const int64_t to = page.next_event_id() > 0 ? page.next_event_id() : record->state.next_event_id();
  const int64_t from = std::max<int64_t>(1, to - page_size);
  absl::StatusOr<std::vector<HistoryEvent>> events =
      store_.ReadHistory(ns.id, workflow_id, *run_id, from, to, page_size);
  if (!events.ok()) return events.status();
  wsv1::GetWorkflowExecutionHistoryReverseResponse response;
  for (auto it = events->rbegin(); it != events->rend(); ++it) *response.mutable_history()->add_events() = *it;
  if (from > 1) {
    persistence::v1::HistoryPageToken next;
    next.set_run_id(*run_id);
    next.set_next_event_id(from);
    response.set_next_page_token(next.SerializeAsString());
  }
  return response;
}

void HistoryEngine::RunChanged(const MutableState& state) {
  if (!IsOpen(state)) UpdatesOfClosedRun(state);
  WakeWaiters(KeyOf(state));
}

void HistoryEngine::WakeWaiters(const RunKey& run) {
  std::vector<Waiter> woken;
  {
    absl::MutexLock lock(&waiters_mu_);
    auto it = waiters_.find(run);
    if (it == waiters_.end()) return;
    woken = std::move(it->second);
    waiters_.erase(it);
  }
  for (Waiter& w : woken) {
    // Whether or not its timer could still be cancelled, only this path
    // can answer it now: the timer's callback no longer finds it.
    timers_.Cancel(w.timer);
    read_pool_.Post([then = std::move(w.then)] { then(false); });
  }
}

void HistoryEngine::DispatchTransferTask(const TransferTask& task) {
  if (task.kind() == TransferTask::VISIBILITY) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      WriteVisibility(task);
    });
    return;
  }
  if (task.kind() == TransferTask::DELETE_VISIBILITY) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      absl::Status dropped = visibility_.Delete(task.namespace_id(), task.run_id());
      if (!dropped.ok()) return RetryCrossRunTask(task, dropped);
      CompleteTask(task);
    });
    return;
  }
  if (task.kind() != TransferTask::WORKFLOW_TASK && task.kind() != TransferTask::ACTIVITY_TASK) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      ProcessCrossRunTask(task);
    });
    return;
  }
  if (task.kind() == TransferTask::WORKFLOW_TASK && task.query_id().empty() &&
      task.task_queue().kind() == enums::TASK_QUEUE_KIND_STICKY &&
      !sink_.StickyWorkerAvailable(task.namespace_id(), task.task_queue().name())) {
    return MoveToNormalQueue(task);
  }
  TimedTask timed(task);
  sink_.AddTask(task);
}

void HistoryEngine::WriteVisibility(const TransferTask& task) {
  absl::Status written = visibility_.Upsert(task.visibility());
  if (!written.ok()) {
    TaskMetricsOf(task).Failed();
    spdlog::warn("visibility update of {}/{} failed, retrying: {}", task.workflow_id(), task.run_id(),
                 std::string(written.message()));
    timers_.Schedule(clock_.Now() + absl::Seconds(1), [this, task] { DispatchTransferTask(task); });
    return;
  }
  ShardOf(task.namespace_id(), task.workflow_id())
      .Execute<bool>(
          [id = task.task_id()](MutationScope& scope) -> absl::StatusOr<bool> {
            scope.CompleteTransferTask(id);
            return true;
          },
          [](absl::StatusOr<bool>) {});  // not completed: written again after a restart, harmlessly
}

void HistoryEngine::MoveToNormalQueue(const TransferTask& task) {
  ShardOf(task.namespace_id(), task.workflow_id())
      .Execute<std::optional<TransferTask>>(
          [task](MutationScope& scope) -> absl::StatusOr<std::optional<TransferTask>> {
            absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
            if (!loaded.ok()) {
              if (loaded.status().code() != absl::StatusCode::kNotFound) return loaded.status();
              scope.CompleteTransferTask(task.task_id());
              return std::optional<TransferTask>();
            }
            MutableState& state = (*loaded)->state;
            if (!IsOpen(state) || !state.has_workflow_task() ||
                state.workflow_task().scheduled_event_id() != task.scheduled_event_id() ||
                state.workflow_task().started_event_id() != 0) {
              scope.CompleteTransferTask(task.task_id());  // already started, or gone
              return std::optional<TransferTask>();
            }
            ClearStickyTaskQueue(state);
            *state.mutable_workflow_task()->mutable_task_queue() = NormalQueue(state.task_queue());
            TransferTask moved = task;
            *moved.mutable_task_queue() = NormalQueue(state.task_queue());
            return std::optional<TransferTask>(std::move(moved));
          },
          [this](absl::StatusOr<std::optional<TransferTask>> moved) {
            if (moved.ok() && moved->has_value()) sink_.AddTask(**moved);
          });
}

}  // namespace zaman::history
