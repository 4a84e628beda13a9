#pragma once

#include "common/proto_time.h"
#include "history/shard.h"
#include "temporal/api/enums/v1/event_type.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/workflow/v1/message.pb.h"

// The building blocks every handler uses to change a run: appending events,
// buffering external ones while a workflow task runs, scheduling workflow
// tasks, closing the run. They keep the history invariants: ids contiguous
// from 1, a workflow task's history ends with its started event.
namespace zaman::history {

namespace enums = ::temporal::api::enums::v1;

bool IsOpen(const MutableState& state);

// Appends an event with the next id and the current time.
HistoryEvent& AddEvent(RunChange& run, absl::Time now, enums::EventType type);

// An event caused from outside (signal, activity result, timer): appended
// now, or buffered while a workflow task is started (it then gets its id
// when flushed).
void AddExternalEvent(RunChange& run, absl::Time now, HistoryEvent event);

// Gives buffered events their ids, in arrival order, fixing up the
// started-event references of activity results.
void FlushBuffered(RunChange& run);

// Points a child workflow's result event (Completed/Failed/Canceled/
// TimedOut/Terminated) at its ChildWorkflowExecutionStarted event.
void SetChildStartedEventId(HistoryEvent& result, int64_t started_event_id);

// Points an activity result event (Completed/Failed/TimedOut/Canceled) at
// its started event.
void SetActivityStartedEventId(HistoryEvent& result, int64_t started_event_id);

// How long a workflow task may wait on a sticky queue when the worker did
// not say (the SDKs always do).
inline constexpr absl::Duration kDefaultStickyScheduleToStart = absl::Seconds(5);

// Schedules a workflow task (WorkflowTaskScheduled + outbox task) unless one
// is pending, the run is closed, or its first task still waits out a
// backoff: on the run's sticky queue when a worker asked for one, with a
// schedule-to-start timer.
// `speculative`: for Workflow Update, with no events written yet (see
// WorkflowTaskInfo.speculative); a normal task when events are buffered.
// An update does not wait out a backoff (as in Temporal): a speculative
// task is made during one, and the backoff ends only if its events are
// written (a task that only rejected updates leaves the run waiting).
void ScheduleWorkflowTask(MutationScope& scope, RunChange& run, bool speculative = false);

// Ends a pending first-task backoff (start delay, cron) early: the first
// workflow task is scheduled now, and the backoff timer finds nothing to do.
// Otherwise as ScheduleWorkflowTask.
void EndFirstTaskBackoff(MutationScope& scope, RunChange& run);

temporal::api::history::v1::WorkflowTaskScheduledEventAttributes ScheduledAttributes(
    const temporal::api::taskqueue::v1::TaskQueue& queue, const MutableState& state, int32_t attempt);

// The unwritten scheduled (and, once started, started) events of the run's
// speculative workflow task; none for a normal one.
std::vector<HistoryEvent> SpeculativeTaskEvents(const MutableState& state);

// Writes a speculative task's events, making it a normal task.
void MaterializeSpeculativeTask(RunChange& run);

// The next workflow task goes to the normal queue again.
void ClearStickyTaskQueue(MutableState& state);

// Marks the run closed: status, close time, no pending work. Its close
// event, already written last in `run.events`, goes to the parent when the
// run is a child whose chain ends here; its children get their parent
// close policy.
void CloseRun(MutationScope& scope, RunChange& run, enums::WorkflowExecutionStatus status);

// Upserted search attributes (types stamped) into the run's: a null value
// removes the attribute.
void MergeSearchAttributes(MutableState& state, const temporal::api::common::v1::SearchAttributes& upserted);
// Upserted memo fields into the run's: an empty payload (nil) removes the
// field.
void MergeMemo(MutableState& state, const temporal::api::common::v1::Memo& upserted);

// What Describe and visibility show of a run.
temporal::api::workflow::v1::WorkflowExecutionInfo ExecutionInfoOf(const MutableState& state);

// Outbox and timer task helpers: the run's identity filled in.
TransferTask NewTransferTask(const MutableState& state, TransferTask::Kind kind);
TimerTask NewTimerTask(const MutableState& state, TimerTask::Kind kind, absl::Time at);

using ::zaman::FromProto;
using ::zaman::ToProto;

}  // namespace zaman::history
