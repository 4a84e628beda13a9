#include "history/state_rebuilder.h"

#include "absl/strings/str_cat.h"
#include "history/run_chain.h"
#include "history/workflow_run.h"

namespace zaman::history {

absl::StatusOr<MutableState> RebuildState(const std::string& namespace_id, const std::string& workflow_id,
                                          const std::string& run_id, const std::vector<HistoryEvent>& events) {
  if (events.empty() || events.front().event_type() != enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
    return absl::InvalidArgumentError("a history starts with WorkflowExecutionStarted");
  }
  const HistoryEvent& first = events.front();
  const auto& started = first.workflow_execution_started_event_attributes();
  MutableState state = StateFromStarted(namespace_id, workflow_id, run_id, "", started, FromProto(first.event_time()),
                                        FromProto(started.first_workflow_task_backoff()));
  state.set_awaiting_first_task_backoff(false);
  int64_t bytes = 0;
  for (const HistoryEvent& e : events) {
    if (e.event_id() != state.next_event_id()) {
      return absl::InvalidArgumentError(absl::StrCat("event ", e.event_id(), " is out of order"));
    }
    state.set_next_event_id(e.event_id() + 1);
    bytes += static_cast<int64_t>(e.ByteSizeLong());
    switch (e.event_type()) {
      case enums::EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
        const auto& a = e.workflow_task_scheduled_event_attributes();
        auto* wft = state.mutable_workflow_task();
        wft->Clear();
        wft->set_scheduled_event_id(e.event_id());
        wft->set_attempt(a.attempt());
        *wft->mutable_scheduled_time() = e.event_time();
        *wft->mutable_task_queue() = a.task_queue();
        *wft->mutable_start_to_close_timeout() = a.start_to_close_timeout();
        break;
      }
      case enums::EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const auto& a = e.workflow_task_started_event_attributes();
        auto* wft = state.mutable_workflow_task();
        wft->set_started_event_id(e.event_id());
        *wft->mutable_started_time() = e.event_time();
        wft->set_started_identity(a.identity());
        wft->set_request_id(a.request_id());
        break;
      }
      case enums::EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        state.set_last_completed_wft_started_event_id(e.workflow_task_completed_event_attributes().started_event_id());
        state.clear_workflow_task();
        break;
      case enums::EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case enums::EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        state.clear_workflow_task();
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        persistence::v1::ActivityInfo& activity = (*state.mutable_activities())[e.event_id()];
        activity.set_scheduled_event_id(e.event_id());
        *activity.mutable_scheduled() = e.activity_task_scheduled_event_attributes();
        activity.set_attempt(1);
        *activity.mutable_first_scheduled_time() = e.event_time();
        *activity.mutable_current_attempt_scheduled_time() = e.event_time();
        break;
      }
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED: {
        const auto& a = e.activity_task_cancel_requested_event_attributes();
        auto it = state.mutable_activities()->find(a.scheduled_event_id());
        if (it != state.mutable_activities()->end()) {
          it->second.set_cancel_requested(true);
          it->second.set_cancel_requested_event_id(e.event_id());
        }
        break;
      }
      case enums::EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        state.mutable_activities()->erase(e.activity_task_completed_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_FAILED:
        state.mutable_activities()->erase(e.activity_task_failed_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        state.mutable_activities()->erase(e.activity_task_timed_out_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        state.mutable_activities()->erase(e.activity_task_canceled_event_attributes().scheduled_event_id());
        break;
      case enums::EVENT_TYPE_TIMER_STARTED: {
        const auto& a = e.timer_started_event_attributes();
        persistence::v1::TimerInfo& timer = (*state.mutable_timers())[a.timer_id()];
        timer.set_timer_id(a.timer_id());
        timer.set_started_event_id(e.event_id());
        *timer.mutable_fire_time() = ToProto(FromProto(e.event_time()) + FromProto(a.start_to_fire_timeout()));
        break;
      }
      case enums::EVENT_TYPE_TIMER_FIRED:
        state.mutable_timers()->erase(e.timer_fired_event_attributes().timer_id());
        break;
      case enums::EVENT_TYPE_TIMER_CANCELED:
        state.mutable_timers()->erase(e.timer_canceled_event_attributes().timer_id());
        break;
      case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: {
        const auto& a = e.start_child_workflow_execution_initiated_event_attributes();
        persistence::v1::ChildExecutionInfo& child = (*state.mutable_children())[e.event_id()];
        child.set_initiated_event_id(e.event_id());
        child.set_namespace_(a.namespace_());
        child.set_workflow_id(a.workflow_id());
        *child.mutable_workflow_type() = a.workflow_type();
        child.set_parent_close_policy(a.parent_close_policy());
        break;
      }
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED: {
        const auto& a = e.child_workflow_execution_started_event_attributes();
        auto it = state.mutable_children()->find(a.initiated_event_id());
        if (it != state.mutable_children()->end()) {
          it->second.set_run_id(a.workflow_execution().run_id());
          it->second.set_started_event_id(e.event_id());
          it->second.set_started(true);
        }
        break;
      }
      case enums::EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
        state.mutable_children()->erase(e.start_child_workflow_execution_failed_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
        state.mutable_children()->erase(e.child_workflow_execution_completed_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
        state.mutable_children()->erase(e.child_workflow_execution_failed_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
        state.mutable_children()->erase(e.child_workflow_execution_canceled_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
        state.mutable_children()->erase(e.child_workflow_execution_timed_out_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
        state.mutable_children()->erase(e.child_workflow_execution_terminated_event_attributes().initiated_event_id());
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
        state.set_cancel_requested(true);
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        if (const std::string& id = e.workflow_execution_signaled_event_attributes().request_id(); !id.empty()) {
          state.add_signal_request_ids(id);
        }
        break;
      case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        MergeSearchAttributes(state, e.upsert_workflow_search_attributes_event_attributes().search_attributes());
        break;
      case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        MergeMemo(state, e.workflow_properties_modified_event_attributes().upserted_memo());
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        (*state.mutable_updates())[e.workflow_execution_update_accepted_event_attributes().protocol_instance_id()]
            .set_accepted_event_id(e.event_id());
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        (*state.mutable_updates())[e.workflow_execution_update_completed_event_attributes().meta().update_id()]
            .set_completed_event_id(e.event_id());
        break;
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        return absl::InvalidArgumentError(absl::StrCat("event ", e.event_id(), " closes the run"));
      default:
        break;  // markers, external requests and their outcomes: nothing pending to track
    }
  }
  state.set_history_size_bytes(bytes);
  return state;
}

}  // namespace zaman::history
