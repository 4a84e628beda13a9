#include "worker/schedule/scheduler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "visibility/search_attributes.h"
#include "worker/schedule/buffer.h"

namespace zaman::worker::schedule {
namespace {

namespace enums = ::temporal::api::enums::v1;
namespace sched = ::temporal::api::schedule::v1;
using persistence::v1::BufferedStart;

template <typename T>
void KeepLast(google::protobuf::RepeatedPtrField<T>& items, int n) {
  if (items.size() > n) items.DeleteSubrange(0, items.size() - n);
}

template <typename T>
void KeepFirst(google::protobuf::RepeatedPtrField<T>& items, int n) {
  if (items.size() > n) items.DeleteSubrange(n, items.size() - n);
}

temporal::api::common::v1::Payload JsonString(absl::string_view value) {
  return visibility::JsonPayload(absl::StrCat("\"", value, "\""));
}

bool IsFailure(enums::WorkflowExecutionStatus status) {
  return status == enums::WORKFLOW_EXECUTION_STATUS_FAILED || status == enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
}

}  // namespace

std::string StartedWorkflowId(const std::string& base, absl::Time nominal) {
  return absl::StrCat(base, "-", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(absl::ToUnixSeconds(nominal)),
                                                  absl::UTCTimeZone()));
}

absl::StatusOr<Scheduler> Scheduler::Open(ScheduleRecord& record, std::string jitter_seed, WorkflowActions& actions) {
  absl::StatusOr<CompiledSpec> spec = CompiledSpec::Compile(record.schedule().spec());
  if (!spec.ok()) return spec.status();
  return Scheduler(record, *std::move(spec), std::move(jitter_seed), actions);
}

void Scheduler::SetPolicyDefaults() {
  // Written out, so that Describe shows them.
  sched::SchedulePolicies& policies = *record_->mutable_schedule()->mutable_policies();
  policies.set_overlap_policy(Resolve(policies.overlap_policy()));
  google::protobuf::Duration window;
  window.set_seconds(absl::ToInt64Seconds(CatchupWindow()));
  *policies.mutable_catchup_window() = window;
}

void Scheduler::Initialize(absl::Time now) {
  SetPolicyDefaults();
  record_->mutable_schedule()->mutable_state();
  record_->mutable_schedule()->mutable_action();
  *record_->mutable_last_processed_time() = ToProto(now);
  *record_->mutable_info()->mutable_create_time() = ToProto(now);
  record_->set_conflict_token(1);
}

absl::Duration Scheduler::CatchupWindow() const {
  const sched::SchedulePolicies& policies = record_->schedule().policies();
  if (!policies.has_catchup_window()) return kDefaultCatchupWindow;
  return std::max(FromProto(policies.catchup_window()), kMinCatchupWindow);
}

enums::ScheduleOverlapPolicy Scheduler::Resolve(enums::ScheduleOverlapPolicy p) const {
  if (p == enums::SCHEDULE_OVERLAP_POLICY_UNSPECIFIED) p = record_->schedule().policies().overlap_policy();
  if (p == enums::SCHEDULE_OVERLAP_POLICY_UNSPECIFIED) p = enums::SCHEDULE_OVERLAP_POLICY_SKIP;
  return p;
}

std::optional<ActionTime> Scheduler::NextTime(absl::Time after) const {
  if (!spec_.has_value()) return std::nullopt;
  return spec_->Next(after, jitter_seed_);
}

std::string Scheduler::Identity() const {
  return absl::StrCat("temporal-scheduler-", record_->namespace_name(), "-", record_->schedule_id());
}

bool Scheduler::CanTakeScheduledAction(bool manual, bool decrement) {
  if (manual) return true;
  sched::ScheduleState& state = *record_->mutable_schedule()->mutable_state();
  if (state.paused()) return false;
  if (!state.limited_actions()) return true;
  if (state.remaining_actions() <= 0) return false;
  if (decrement) {
    state.set_remaining_actions(state.remaining_actions() - 1);
    record_->set_conflict_token(record_->conflict_token() + 1);
  }
  return true;
}

bool Scheduler::HasMoreAllowAllBackfills() const {
  return !record_->ongoing_backfills().empty() &&
         Resolve(record_->ongoing_backfills(0).overlap_policy()) == enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
}

absl::Time Scheduler::LastEvent() const {
  absl::Time last = FromProto(record_->info().create_time());
  if (record_->info().has_update_time()) last = std::max(last, FromProto(record_->info().update_time()));
  const auto& recent = record_->info().recent_actions();
  if (!recent.empty()) last = std::max(last, FromProto(recent[recent.size() - 1].actual_time()));
  return last;
}

Scheduler::RangeResult Scheduler::ProcessTimeRange(absl::Time start, absl::Time end, enums::ScheduleOverlapPolicy policy,
                                                   bool manual, int* limit) {
  RangeResult result;
  result.last_action = start;
  if (!spec_.has_value()) return result;
  if (!CanTakeScheduledAction(manual, false)) {
    // Paused or out of actions: the time passes without actions (and is not "missed").
    std::optional<ActionTime> next = NextTime(end);
    if (next.has_value()) result.next_wakeup = next->actual;
    result.last_action = end;
    return result;
  }
  const absl::Time updated =
      record_->info().has_update_time() ? FromProto(record_->info().update_time()) : absl::InfinitePast();
  const absl::Duration window = CatchupWindow();
  std::optional<ActionTime> next = NextTime(start);
  for (; next.has_value() && next->actual <= end; next = NextTime(next->actual)) {
    result.last_action = next->actual;
    if (!manual && updated > next->actual) continue;  // before the latest update: the old spec's time
    if (!manual && end - next->actual > window) {
      record_->mutable_info()->set_missed_catchup_window(record_->info().missed_catchup_window() + 1);
      continue;
    }
    AddStart(next->nominal, next->actual, policy, manual);
    if (limit != nullptr && --*limit <= 0) {
      next = NextTime(next->actual);
      break;
    }
  }
  if (next.has_value()) result.next_wakeup = next->actual;
  return result;
}

void Scheduler::AddStart(absl::Time nominal, absl::Time actual, enums::ScheduleOverlapPolicy policy, bool manual) {
  if (record_->buffered_starts_size() >= kMaxBufferSize) {
    record_->mutable_info()->set_buffer_dropped(record_->info().buffer_dropped() + 1);
    return;
  }
  BufferedStart* start = record_->add_buffered_starts();
  *start->mutable_nominal_time() = ToProto(nominal);
  *start->mutable_actual_time() = ToProto(actual);
  start->set_overlap_policy(policy);
  start->set_manual(manual);
  record_->set_need_refresh(true);
}

void Scheduler::ProcessBackfills() {
  int limit = kBackfillsPerRun;
  auto& backfills = *record_->mutable_ongoing_backfills();
  while (!backfills.empty() && limit > 0 && record_->buffered_starts_size() < kMaxBufferSize / 2) {
    sched::BackfillRequest& first = backfills[0];
    const absl::Time end = FromProto(first.end_time());
    RangeResult range = ProcessTimeRange(FromProto(first.start_time()), end, first.overlap_policy(), true, &limit);
    if (range.next_wakeup == absl::InfiniteFuture() || range.next_wakeup > end) {
      backfills.DeleteSubrange(0, 1);
    } else {
      // Go on from just before the next time, so that it is taken.
      *first.mutable_start_time() = ToProto(range.next_wakeup - absl::Milliseconds(1));
    }
  }
}

void Scheduler::Refresh() {
  auto& running = *record_->mutable_info()->mutable_running_workflows();
  for (int i = running.size() - 1; i >= 0; --i) {
    const temporal::api::common::v1::WorkflowExecution run = running[i];
    absl::StatusOr<WorkflowActions::RunState> state = actions_->Describe(record_->namespace_name(), run.workflow_id());
    if (!state.ok() && state.status().code() != absl::StatusCode::kNotFound) continue;  // unknown: still running
    if (state.ok() && state->status == enums::WORKFLOW_EXECUTION_STATUS_RUNNING &&
        state->first_execution_run_id == run.run_id()) {
      continue;
    }
    running.DeleteSubrange(i, 1);
    if (!state.ok()) continue;
    for (auto& action : *record_->mutable_info()->mutable_recent_actions()) {
      if (action.start_workflow_result().workflow_id() == run.workflow_id()) {
        action.set_start_workflow_status(state->status);
      }
    }
    sched::ScheduleState& schedule_state = *record_->mutable_schedule()->mutable_state();
    if (record_->schedule().policies().pause_on_failure() && IsFailure(state->status) && !schedule_state.paused()) {
      schedule_state.set_paused(true);
      if (state->status == enums::WORKFLOW_EXECUTION_STATUS_FAILED) {
        schedule_state.set_notes(absl::StrCat("paused due to workflow failure: ", run.workflow_id(), ": ",
                                              state->failure.has_value() ? state->failure->message() : ""));
      } else {
        schedule_state.set_notes(absl::StrCat("paused due to workflow timeout: ", run.workflow_id()));
      }
      record_->set_conflict_token(record_->conflict_token() + 1);
    }
    if (state->result.has_value()) {
      *record_->mutable_last_completion_result() = *state->result;
      record_->clear_continued_failure();
    } else if (state->failure.has_value()) {
      *record_->mutable_continued_failure() = *state->failure;
    }
  }
}

bool Scheduler::ProcessBuffer(absl::Time now) {
  // Owed starts wait for a running workflow to close: look whether it has
  // (Temporal watches it with a long poll; here each wake-up looks).
  const bool waiting = !record_->buffered_starts().empty() && !record_->info().running_workflows().empty();
  if (record_->need_refresh() || waiting) {
    Refresh();
    record_->set_need_refresh(false);
  }
  if (!record_->schedule().action().has_start_workflow() || record_->buffered_starts().empty()) {
    record_->clear_buffered_starts();
    return false;
  }
  const bool running = !record_->info().running_workflows().empty();
  BufferDecision decision = DecideBuffer(record_->buffered_starts(), running,
                                         [this](enums::ScheduleOverlapPolicy p) { return Resolve(p); });
  *record_->mutable_buffered_starts() = std::move(decision.new_buffer);
  record_->mutable_info()->set_overlap_skipped(record_->info().overlap_skipped() + decision.overlap_skipped);

  std::vector<std::pair<BufferedStart, bool>> starts;  // (start, non-overlapping)
  for (BufferedStart& s : decision.overlapping) starts.emplace_back(std::move(s), false);
  if (decision.non_overlapping.has_value()) starts.emplace_back(std::move(*decision.non_overlapping), true);
  bool try_again = false;
  for (size_t i = 0; i < starts.size(); ++i) {
    const auto& [start, non_overlapping] = starts[i];
    if (!CanTakeScheduledAction(start.manual(), true)) {
      try_again = true;  // dropped: paused or out of actions
      continue;
    }
    absl::StatusOr<sched::ScheduleActionResult> result = StartWorkflow(start, now);
    if (!result.ok() && result.status().code() != absl::StatusCode::kAlreadyExists &&
        result.status().code() != absl::StatusCode::kInvalidArgument) {
      // History is unreachable: the starts stay owed, in order, and are tried again soon.
      if (start.manual() == false && record_->schedule().state().limited_actions()) {
        auto& state = *record_->mutable_schedule()->mutable_state();
        state.set_remaining_actions(state.remaining_actions() + 1);
      }
      google::protobuf::RepeatedPtrField<BufferedStart> owed;
      for (size_t j = i; j < starts.size(); ++j) *owed.Add() = starts[j].first;
      for (BufferedStart& b : *record_->mutable_buffered_starts()) *owed.Add() = std::move(b);
      *record_->mutable_buffered_starts() = std::move(owed);
      retry_soon_ = true;
      return false;
    }
    if (!result.ok()) {
      // The id is taken by a run the schedule did not start (or the action
      // is invalid): that action is lost, as on Temporal.
      try_again = true;
      continue;
    }
    sched::ScheduleInfo& info = *record_->mutable_info();
    info.set_action_count(info.action_count() + 1);
    *info.add_recent_actions() = *result;
    KeepLast(*info.mutable_recent_actions(), kRecentActions);
    if (non_overlapping) *info.add_running_workflows() = result->start_workflow_result();
  }
  const std::string reason_suffix = " by schedule overlap policy";
  if (decision.need_terminate || decision.need_cancel) {
    for (const auto& run : record_->info().running_workflows()) {
      if (decision.need_terminate) {
        (void)actions_->Terminate(record_->namespace_name(), run, Identity(), "terminated" + reason_suffix);
      } else {
        (void)actions_->Cancel(record_->namespace_name(), run, Identity(), "cancelled" + reason_suffix);
      }
    }
  }
  return try_again;
}

absl::StatusOr<sched::ScheduleActionResult> Scheduler::StartWorkflow(const BufferedStart& start, absl::Time now) {
  const temporal::api::workflow::v1::NewWorkflowExecutionInfo& action = record_->schedule().action().start_workflow();
  const absl::Time nominal = absl::FromUnixSeconds(absl::ToUnixSeconds(FromProto(start.nominal_time())));
  // keep_original_workflow_id (in the API; Temporal 1.29's scheduler does
  // not read it yet): the action's id as it is.
  const std::string workflow_id = record_->schedule().policies().keep_original_workflow_id()
                                      ? action.workflow_id()
                                      : StartedWorkflowId(action.workflow_id(), nominal);
  const bool allow_all = Resolve(start.overlap_policy()) == enums::SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;

  wsv1::StartWorkflowExecutionRequest request;
  request.set_workflow_id(workflow_id);
  *request.mutable_workflow_type() = action.workflow_type();
  *request.mutable_task_queue() = action.task_queue();
  if (action.has_input()) *request.mutable_input() = action.input();
  if (action.has_workflow_execution_timeout()) *request.mutable_workflow_execution_timeout() = action.workflow_execution_timeout();
  if (action.has_workflow_run_timeout()) *request.mutable_workflow_run_timeout() = action.workflow_run_timeout();
  if (action.has_workflow_task_timeout()) *request.mutable_workflow_task_timeout() = action.workflow_task_timeout();
  request.set_identity(Identity());
  // The same start after a crash carries the same request id: history
  // answers it with the run it made the first time, so no action is taken twice.
  request.set_request_id(absl::StrCat("sched-", record_->run_id(), "-", absl::ToUnixMillis(FromProto(start.nominal_time())),
                                      start.manual() ? "-m" : "-s"));
  request.set_workflow_id_reuse_policy(start.manual() ? enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                                                      : enums::WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE);
  if (action.has_retry_policy()) *request.mutable_retry_policy() = action.retry_policy();
  if (action.has_memo()) *request.mutable_memo() = action.memo();
  if (action.has_header()) *request.mutable_header() = action.header();
  if (action.has_user_metadata()) *request.mutable_user_metadata() = action.user_metadata();
  if (action.has_priority()) *request.mutable_priority() = action.priority();
  auto& attributes = *request.mutable_search_attributes()->mutable_indexed_fields();
  attributes = action.search_attributes().indexed_fields();
  attributes["TemporalScheduledStartTime"] =
      JsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", nominal, absl::UTCTimeZone()));
  attributes["TemporalScheduledById"] = JsonString(record_->schedule_id());
  if (!allow_all) {
    if (record_->has_last_completion_result()) *request.mutable_last_completion_result() = record_->last_completion_result();
    if (record_->has_continued_failure()) *request.mutable_continued_failure() = record_->continued_failure();
  }
  absl::StatusOr<wsv1::StartWorkflowExecutionResponse> started =
      actions_->Start(record_->namespace_name(), std::move(request));
  if (!started.ok()) return started.status();
  sched::ScheduleActionResult result;
  *result.mutable_schedule_time() = start.actual_time();
  *result.mutable_actual_time() = ToProto(now);
  result.mutable_start_workflow_result()->set_workflow_id(workflow_id);
  result.mutable_start_workflow_result()->set_run_id(started->run_id());
  result.set_start_workflow_status(enums::WORKFLOW_EXECUTION_STATUS_RUNNING);
  return result;
}

absl::Time Scheduler::Run(absl::Time now) {
  const absl::Time t1 = FromProto(record_->last_processed_time());
  const absl::Time t2 = std::max(now, t1);
  RangeResult range = ProcessTimeRange(t1, t2, enums::SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, false, nullptr);
  *record_->mutable_last_processed_time() = ToProto(std::max(range.last_action, t1));
  ProcessBackfills();
  retry_soon_ = false;
  // Every pass consumes the starts it looked at, so this ends.
  while (ProcessBuffer(now)) {
  }

  absl::Time wake = range.next_wakeup;
  if (HasMoreAllowAllBackfills() || !record_->ongoing_backfills().empty()) {
    wake = std::min(wake, now + absl::Seconds(1));
  } else if (!CanTakeScheduledAction(false, false)) {
    wake = absl::InfiniteFuture();
  }
  if (!record_->buffered_starts().empty() || retry_soon_) wake = std::min(wake, now + kWatchInterval);

  // Nothing left to do (spec ended, no actions left) and not paused: kept
  // for a while, then deleted, as Temporal does.
  const bool idle = !record_->schedule().state().paused() && record_->buffered_starts().empty() &&
                    record_->ongoing_backfills().empty() &&
                    (range.next_wakeup == absl::InfiniteFuture() || !CanTakeScheduledAction(false, false));
  if (idle) {
    const absl::Time expires = LastEvent() + kIdleRetention;
    if (expires <= now) deleted_ = true;
    wake = std::min(wake, expires);
  }
  return wake;
}

void Scheduler::Patch(const sched::SchedulePatch& patch, absl::Time now) {
  if (patch.has_trigger_immediately()) {
    absl::Time at = patch.trigger_immediately().has_scheduled_time()
                        ? FromProto(patch.trigger_immediately().scheduled_time())
                        : now;
    AddStart(at, at, patch.trigger_immediately().overlap_policy(), true);
  }
  for (const sched::BackfillRequest& backfill : patch.backfill_request()) {
    if (record_->ongoing_backfills_size() >= kMaxBufferSize) {
      record_->mutable_info()->set_buffer_dropped(record_->info().buffer_dropped() + 1);
      continue;
    }
    sched::BackfillRequest& added = *record_->add_ongoing_backfills();
    added = backfill;
    // The start time is inclusive.
    *added.mutable_start_time() = ToProto(FromProto(backfill.start_time()) - absl::Milliseconds(1));
  }
  sched::ScheduleState& state = *record_->mutable_schedule()->mutable_state();
  if (!patch.pause().empty()) {
    state.set_paused(true);
    state.set_notes(patch.pause());
    record_->set_conflict_token(record_->conflict_token() + 1);
  }
  if (!patch.unpause().empty()) {
    state.set_paused(false);
    state.set_notes(patch.unpause());
    record_->set_conflict_token(record_->conflict_token() + 1);
  }
}

absl::Status Scheduler::Update(const sched::Schedule& schedule,
                               const temporal::api::common::v1::SearchAttributes* search_attributes, absl::Time now) {
  absl::StatusOr<CompiledSpec> spec = CompiledSpec::Compile(schedule.spec());
  if (!spec.ok()) return spec.status();
  spec_ = *std::move(spec);
  *record_->mutable_schedule() = schedule;
  SetPolicyDefaults();
  if (search_attributes != nullptr) *record_->mutable_search_attributes() = *search_attributes;
  *record_->mutable_info()->mutable_update_time() = ToProto(now);
  record_->set_conflict_token(record_->conflict_token() + 1);
  return absl::OkStatus();
}

std::vector<absl::Time> Scheduler::FutureActionTimes(int n) const {
  std::vector<absl::Time> out;
  const sched::ScheduleState& state = record_->schedule().state();
  if (state.limited_actions()) n = std::min<int64_t>(n, state.remaining_actions());
  const absl::Time updated =
      record_->info().has_update_time() ? FromProto(record_->info().update_time()) : absl::InfinitePast();
  absl::Time t = FromProto(record_->last_processed_time());
  while (static_cast<int>(out.size()) < n) {
    std::optional<ActionTime> next = NextTime(t);
    if (!next.has_value()) break;
    t = next->actual;
    if (updated > t) continue;
    out.push_back(t);
  }
  return out;
}

std::vector<absl::Time> Scheduler::MatchingTimes(absl::Time start, absl::Time end) const {
  constexpr int kMaxMatchingTimes = 1000;
  std::vector<absl::Time> out;
  absl::Time t = start;
  while (static_cast<int>(out.size()) < kMaxMatchingTimes) {
    std::optional<ActionTime> next = NextTime(t);
    if (!next.has_value() || next->actual > end) break;
    t = next->actual;
    out.push_back(t);
  }
  return out;
}

sched::ScheduleListInfo Scheduler::ListInfo() const {
  constexpr int kSpecFieldLimit = 10;
  sched::ScheduleListInfo info;
  sched::ScheduleSpec& spec = *info.mutable_spec();
  spec = record_->schedule().spec();
  spec.clear_timezone_data();
  KeepFirst(*spec.mutable_structured_calendar(), kSpecFieldLimit);
  KeepFirst(*spec.mutable_interval(), kSpecFieldLimit);
  KeepFirst(*spec.mutable_exclude_structured_calendar(), kSpecFieldLimit);
  if (record_->schedule().action().start_workflow().has_workflow_type()) {
    *info.mutable_workflow_type() = record_->schedule().action().start_workflow().workflow_type();
  }
  info.set_notes(record_->schedule().state().notes());
  info.set_paused(record_->schedule().state().paused());
  const auto& recent = record_->info().recent_actions();
  for (int i = std::max(0, recent.size() - kRecentActionsInList); i < recent.size(); ++i) {
    *info.add_recent_actions() = recent[i];
  }
  for (absl::Time t : FutureActionTimes(kFutureActionsInList)) *info.add_future_action_times() = ToProto(t);
  return info;
}

}  // namespace zaman::worker::schedule
