#include "history/run_chain.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "history/cron.h"
#include "history/retry_policy.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

using temporal::api::common::v1::Payloads;
using temporal::api::failure::v1::Failure;

// Consecutive runs of one workflow id start at least this far apart, so a
// workflow that continues-as-new in a tight loop cannot spin the server
// (Temporal's history.workflowIdReuseMinimalInterval).
constexpr absl::Duration kMinRunInterval = absl::Seconds(1);

std::optional<absl::Time> Expiration(const MutableState& state) {
  if (!state.has_execution_expiration_time()) return std::nullopt;
  return FromProto(state.execution_expiration_time());
}

// The old run's first event: what a retry or the next cron run repeats.
absl::StatusOr<StartedAttributes> StartedOf(MutationScope& scope, const RunChange& run) {
  absl::StatusOr<HistoryEvent> first = scope.ReadEvent(run, 1);
  if (!first.ok()) return first.status();
  return first->workflow_execution_started_event_attributes();
}

// Why a chain continues, and with what.
struct Continuation {
  enums::ContinueAsNewInitiator initiator;
  absl::Duration backoff;
  const Failure* failure = nullptr;        // continued_failure
  const Payloads* last_result = nullptr;   // last_completion_result
};

// The next run of a retry or cron chain: the old run's start repeated,
// with the chain's ids, attempt and backoff.
NewRun NextRunOf(const RunChange& old, const StartedAttributes& old_started, const std::string& new_run_id,
                 const Continuation& next) {
  NewRun spec;
  spec.namespace_id = old.state.namespace_id();
  spec.workflow_id = old.state.workflow_id();
  spec.run_id = new_run_id;
  spec.backoff = next.backoff;
  StartedAttributes& a = spec.started;
  a = old_started;
  a.clear_first_workflow_task_backoff();
  a.clear_continued_failure();
  a.clear_identity();
  a.set_continued_execution_run_id(old.state.run_id());
  a.set_original_execution_run_id(new_run_id);
  a.set_initiator(next.initiator);
  a.set_attempt(next.initiator == enums::CONTINUE_AS_NEW_INITIATOR_RETRY ? old.state.attempt() + 1 : 1);
  if (next.failure != nullptr) *a.mutable_continued_failure() = *next.failure;
  if (next.last_result != nullptr) {
    *a.mutable_last_completion_result() = *next.last_result;
  }
  return spec;
}

// Retries per the run's workflow retry policy. Returns the new run's id, or
// "" with `state` saying why not.
struct RetryOutcome {
  std::string new_run_id;
  enums::RetryState state = enums::RETRY_STATE_RETRY_POLICY_NOT_SET;
  std::optional<Continuation> next;
};

RetryOutcome DecideWorkflowRetry(MutationScope& scope, const RunChange& run, const Failure& failure) {
  RetryOutcome outcome;
  const MutableState& state = run.state;
  if (!state.has_retry_policy()) return outcome;
  temporal::api::common::v1::RetryPolicy policy = state.retry_policy();
  ApplyRetryDefaults(policy);
  RetryDecision decision = DecideRetry(policy, state.attempt(), failure, scope.now(), Expiration(state));
  outcome.state = decision.state;
  if (decision.delay) {
    outcome.next = Continuation{enums::CONTINUE_AS_NEW_INITIATOR_RETRY, std::max(*decision.delay, kMinRunInterval),
                                &failure, nullptr};
  }
  return outcome;
}

// The cron chain's next run, unless the run has no schedule or the next
// time falls after the execution expires.
std::optional<absl::Duration> CronBackoff(MutationScope& scope, const MutableState& state) {
  if (state.cron_schedule().empty()) return std::nullopt;
  absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(state.cron_schedule());
  if (!schedule.ok()) return std::nullopt;  // validated at start
  const absl::Time now = scope.now();
  // The next scheduled time counted from this run's start, at or after now.
  absl::Time next = schedule->Next(FromProto(state.start_time()));
  while (next < now) next = schedule->Next(next);
  if (next == absl::InfiniteFuture()) return std::nullopt;
  std::optional<absl::Time> expiration = Expiration(state);
  if (expiration && next > *expiration) return std::nullopt;
  return absl::Seconds(std::ceil(absl::ToDoubleSeconds(next - now)));
}

}  // namespace

MutableState StateFromStarted(const std::string& namespace_id, const std::string& workflow_id,
                              const std::string& run_id, const std::string& request_id, const StartedAttributes& a,
                              absl::Time start_time, absl::Duration backoff) {
  MutableState state;
  state.set_namespace_id(namespace_id);
  state.set_workflow_id(workflow_id);
  state.set_run_id(run_id);
  state.set_first_execution_run_id(a.first_execution_run_id());
  *state.mutable_workflow_type() = a.workflow_type();
  *state.mutable_task_queue() = a.task_queue();
  if (a.has_workflow_execution_timeout()) *state.mutable_workflow_execution_timeout() = a.workflow_execution_timeout();
  if (a.has_workflow_run_timeout()) *state.mutable_workflow_run_timeout() = a.workflow_run_timeout();
  *state.mutable_workflow_task_timeout() = a.workflow_task_timeout();
  if (a.has_workflow_execution_expiration_time()) {
    *state.mutable_execution_expiration_time() = a.workflow_execution_expiration_time();
  }
  state.set_status(enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  *state.mutable_start_time() = ToProto(start_time);
  *state.mutable_execution_time() = ToProto(start_time + backoff);
  state.set_next_event_id(1);
  state.set_start_request_id(request_id);
  state.set_attempt(a.attempt());
  *state.mutable_memo() = a.memo();
  *state.mutable_search_attributes() = a.search_attributes();
  if (a.has_retry_policy()) *state.mutable_retry_policy() = a.retry_policy();
  state.set_cron_schedule(a.cron_schedule());
  state.set_awaiting_first_task_backoff(backoff > absl::ZeroDuration());
  if (a.has_parent_workflow_execution()) {
    state.set_parent_namespace(a.parent_workflow_namespace());
    state.set_parent_namespace_id(a.parent_workflow_namespace_id());
    *state.mutable_parent_execution() = a.parent_workflow_execution();
    state.set_parent_initiated_event_id(a.parent_initiated_event_id());
  }
  if (a.has_root_workflow_execution()) *state.mutable_root_execution() = a.root_workflow_execution();
  if (a.has_priority()) *state.mutable_priority() = a.priority();
  return state;
}

RunChange* StartRun(MutationScope& scope, NewRun spec, const std::string& expected_current,
                    const std::function<void(RunChange&)>& before_first_task) {
  const absl::Time now = scope.now();
  MutableState state =
      StateFromStarted(spec.namespace_id, spec.workflow_id, spec.run_id, spec.request_id, spec.started, now, spec.backoff);
  RunChange* run = scope.Create(std::move(state), expected_current);
  HistoryEvent& started = AddEvent(*run, now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  auto* attrs = started.mutable_workflow_execution_started_event_attributes();
  *attrs = std::move(spec.started);
  if (spec.user_metadata.ByteSizeLong() > 0) *started.mutable_user_metadata() = std::move(spec.user_metadata);
  // Written even when zero, as Temporal does.
  *attrs->mutable_first_workflow_task_backoff() = ToProto(spec.backoff);
  if (before_first_task) before_first_task(*run);
  if (spec.backoff > absl::ZeroDuration()) {
    scope.AddTimerTask(NewTimerTask(run->state, TimerTask::WORKFLOW_BACKOFF, now + spec.backoff));
  } else {
    ScheduleWorkflowTask(scope, *run);
  }
  // The run's own timeout counts from its first workflow task, and never
  // runs past the whole execution's expiration.
  std::optional<absl::Time> deadline;
  const absl::Duration run_timeout = FromProto(run->state.workflow_run_timeout());
  if (run_timeout > absl::ZeroDuration()) deadline = now + spec.backoff + run_timeout;
  if (std::optional<absl::Time> expiration = Expiration(run->state)) {
    deadline = deadline ? std::min(*deadline, *expiration) : *expiration;
  }
  if (deadline) scope.AddTimerTask(NewTimerTask(run->state, TimerTask::WORKFLOW_RUN_TIMEOUT, *deadline));
  return run;
}

absl::Duration FirstCronBackoff(const std::string& cron_schedule, absl::Time now) {
  if (cron_schedule.empty()) return absl::ZeroDuration();
  absl::StatusOr<CronSchedule> schedule = CronSchedule::Parse(cron_schedule);
  if (!schedule.ok()) return absl::ZeroDuration();
  absl::Time next = schedule->Next(now);
  if (next == absl::InfiniteFuture()) return absl::ZeroDuration();
  return absl::Seconds(std::ceil(absl::ToDoubleSeconds(next - now)));
}

absl::Status CompleteRunOrContinueCron(MutationScope& scope, Random& random, RunChange& run,
                                       int64_t completed_event_id, const Payloads* result) {
  HistoryEvent& done = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  auto* d = done.mutable_workflow_execution_completed_event_attributes();
  if (result != nullptr) *d->mutable_result() = *result;
  d->set_workflow_task_completed_event_id(completed_event_id);
  std::optional<absl::Duration> cron = CronBackoff(scope, run.state);
  if (!cron) {
    CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
    return absl::OkStatus();
  }
  absl::StatusOr<StartedAttributes> started = StartedOf(scope, run);
  if (!started.ok()) return started.status();
  const std::string new_run_id = random.NewUuidV7(scope.now());
  d->set_new_execution_run_id(new_run_id);
  CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  StartRun(scope,
           NextRunOf(run, *started, new_run_id, {enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE, *cron, nullptr, result}),
           run.state.run_id());
  return absl::OkStatus();
}

// Failure and timeout share this: retry first, else the cron chain goes on
// (keeping the last successful result), else the chain ends.
absl::Status CloseFailedRun(MutationScope& scope, Random& random, RunChange& run, const Failure& failure,
                            enums::WorkflowExecutionStatus status,
                            const std::function<HistoryEvent&(enums::RetryState)>& write_close) {
  RetryOutcome retry = DecideWorkflowRetry(scope, run, failure);
  std::optional<Continuation> next = retry.next;
  if (!next) {
    if (std::optional<absl::Duration> cron = CronBackoff(scope, run.state)) {
      next = Continuation{enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE, *cron, &failure, nullptr};
    }
  }
  std::optional<StartedAttributes> old_started;
  if (next) {
    absl::StatusOr<StartedAttributes> started = StartedOf(scope, run);
    if (!started.ok()) return started.status();
    old_started = *std::move(started);
    // A failed cron run hands on the result of the last run that completed.
    if (next->initiator == enums::CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE && old_started->has_last_completion_result()) {
      next->last_result = &old_started->last_completion_result();
    }
  }
  HistoryEvent& close = write_close(retry.state);
  std::string new_run_id;
  if (next) {
    new_run_id = random.NewUuidV7(scope.now());
    if (close.has_workflow_execution_failed_event_attributes()) {
      close.mutable_workflow_execution_failed_event_attributes()->set_new_execution_run_id(new_run_id);
    } else {
      close.mutable_workflow_execution_timed_out_event_attributes()->set_new_execution_run_id(new_run_id);
    }
  }
  CloseRun(scope, run, status);
  if (next) StartRun(scope, NextRunOf(run, *old_started, new_run_id, *next), run.state.run_id());
  return absl::OkStatus();
}

absl::Status FailRunOrRetry(MutationScope& scope, Random& random, RunChange& run, int64_t completed_event_id,
                            const Failure& failure) {
  return CloseFailedRun(scope, random, run, failure, enums::WORKFLOW_EXECUTION_STATUS_FAILED,
                        [&](enums::RetryState retry_state) -> HistoryEvent& {
                          HistoryEvent& e = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
                          auto* d = e.mutable_workflow_execution_failed_event_attributes();
                          *d->mutable_failure() = failure;
                          d->set_retry_state(retry_state);
                          d->set_workflow_task_completed_event_id(completed_event_id);
                          return e;
                        });
}

absl::Status TimeOutRunOrRetry(MutationScope& scope, Random& random, RunChange& run) {
  Failure failure;
  failure.set_message("Workflow timed out");
  failure.set_source("Server");
  failure.mutable_timeout_failure_info()->set_timeout_type(enums::TIMEOUT_TYPE_START_TO_CLOSE);
  FlushBuffered(run);
  return CloseFailedRun(scope, random, run, failure, enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
                        [&](enums::RetryState retry_state) -> HistoryEvent& {
                          HistoryEvent& e = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT);
                          e.mutable_workflow_execution_timed_out_event_attributes()->set_retry_state(retry_state);
                          return e;
                        });
}

absl::Status ContinueAsNew(MutationScope& scope, Random& random, RunChange& run, int64_t completed_event_id,
                           const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& command) {
  const absl::Time now = scope.now();
  const MutableState& old = run.state;
  const std::string new_run_id = random.NewUuidV7(scope.now());

  NewRun spec;
  spec.namespace_id = old.namespace_id();
  spec.workflow_id = old.workflow_id();
  spec.run_id = new_run_id;
  StartedAttributes& a = spec.started;
  *a.mutable_workflow_type() = command.workflow_type().name().empty() ? old.workflow_type() : command.workflow_type();
  a.mutable_task_queue()->set_name(command.task_queue().name().empty() ? old.task_queue().name()
                                                                       : command.task_queue().name());
  a.mutable_task_queue()->set_kind(enums::TASK_QUEUE_KIND_NORMAL);
  if (command.has_input()) *a.mutable_input() = command.input();
  // The execution timeout and its deadline belong to the whole chain.
  if (old.has_workflow_execution_timeout()) *a.mutable_workflow_execution_timeout() = old.workflow_execution_timeout();
  if (old.has_execution_expiration_time()) {
    *a.mutable_workflow_execution_expiration_time() = old.execution_expiration_time();
  }
  absl::Duration execution_timeout = FromProto(old.workflow_execution_timeout());
  absl::Duration run_timeout = FromProto(command.workflow_run_timeout());
  if (run_timeout <= absl::ZeroDuration() ||
      (execution_timeout > absl::ZeroDuration() && run_timeout > execution_timeout)) {
    run_timeout = execution_timeout;
  }
  *a.mutable_workflow_run_timeout() = ToProto(run_timeout);
  absl::Duration task_timeout = FromProto(command.workflow_task_timeout());
  *a.mutable_workflow_task_timeout() =
      task_timeout > absl::ZeroDuration() ? command.workflow_task_timeout() : old.workflow_task_timeout();
  a.set_continued_execution_run_id(old.run_id());
  a.set_original_execution_run_id(new_run_id);
  a.set_first_execution_run_id(old.first_execution_run_id());
  a.set_initiator(command.initiator() == enums::CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED
                      ? enums::CONTINUE_AS_NEW_INITIATOR_WORKFLOW
                      : command.initiator());
  a.set_attempt(command.initiator() == enums::CONTINUE_AS_NEW_INITIATOR_RETRY ? old.attempt() + 1 : 1);
  if (command.has_failure()) *a.mutable_continued_failure() = command.failure();
  if (command.has_last_completion_result()) *a.mutable_last_completion_result() = command.last_completion_result();
  if (command.has_header()) *a.mutable_header() = command.header();
  if (command.has_memo()) *a.mutable_memo() = command.memo();
  if (command.search_attributes().indexed_fields_size() > 0) {
    *a.mutable_search_attributes() = command.search_attributes();
  }
  if (command.has_retry_policy()) *a.mutable_retry_policy() = command.retry_policy();
  if (old.has_priority()) *a.mutable_priority() = old.priority();  // the command has none to give
  a.set_cron_schedule(command.cron_schedule());
  a.set_workflow_id(old.workflow_id());
  if (old.has_parent_execution()) {
    a.set_parent_workflow_namespace(old.parent_namespace());
    a.set_parent_workflow_namespace_id(old.parent_namespace_id());
    *a.mutable_parent_workflow_execution() = old.parent_execution();
    a.set_parent_initiated_event_id(old.parent_initiated_event_id());
  }
  if (old.has_root_execution()) *a.mutable_root_workflow_execution() = old.root_execution();

  // At least kMinRunInterval between the two runs' starts of real work.
  absl::Duration backoff = std::max(FromProto(command.backoff_start_interval()), absl::ZeroDuration());
  const absl::Duration lifetime = now - FromProto(old.execution_time());
  if (lifetime + backoff < kMinRunInterval) backoff = kMinRunInterval - lifetime;
  spec.backoff = backoff;

  HistoryEvent& event = AddEvent(run, now, enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  auto* e = event.mutable_workflow_execution_continued_as_new_event_attributes();
  e->set_new_execution_run_id(new_run_id);
  *e->mutable_workflow_type() = a.workflow_type();
  *e->mutable_task_queue() = a.task_queue();
  if (command.has_input()) *e->mutable_input() = command.input();
  *e->mutable_workflow_run_timeout() = a.workflow_run_timeout();
  *e->mutable_workflow_task_timeout() = a.workflow_task_timeout();
  e->set_workflow_task_completed_event_id(completed_event_id);
  if (command.has_backoff_start_interval()) *e->mutable_backoff_start_interval() = command.backoff_start_interval();
  e->set_initiator(command.initiator());  // as the command says (unset: the workflow)
  e->set_inherit_build_id(command.inherit_build_id());
  if (command.has_failure()) *e->mutable_failure() = command.failure();
  if (command.has_last_completion_result()) *e->mutable_last_completion_result() = command.last_completion_result();
  if (command.has_header()) *e->mutable_header() = command.header();
  if (command.has_memo()) *e->mutable_memo() = command.memo();
  if (command.search_attributes().indexed_fields_size() > 0) {
    *e->mutable_search_attributes() = command.search_attributes();
  }
  CloseRun(scope, run, enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
  StartRun(scope, std::move(spec), run.state.run_id());
  return absl::OkStatus();
}

}  // namespace zaman::history
