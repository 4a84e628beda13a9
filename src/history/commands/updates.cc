// Workflow Update in a workflow task completion: the worker's protocol
// messages (acceptances, responses, rejections) become events and effects
// the update registry hears of once the change is committed.

#include "history/commands/commands_internal.h"
#include "temporal/api/update/v1/message.pb.h"

namespace zaman::history {

void ApplyUpdateMessage(MutationScope& scope, RunChange& run, const temporal::api::protocol::v1::Message& message,
                        UpdateRegistry& registry, UpdateEffects& effects) {
  MutableState& state = run.state;
  const std::string& update_id = message.protocol_instance_id();
  if (temporal::api::update::v1::Acceptance acceptance; message.body().UnpackTo(&acceptance)) {
    if (state.updates().contains(update_id)) return;  // accepted before
    HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    auto* a = event.mutable_workflow_execution_update_accepted_event_attributes();
    a->set_protocol_instance_id(update_id);
    a->set_accepted_request_message_id(acceptance.accepted_request_message_id());
    a->set_accepted_request_sequencing_event_id(acceptance.accepted_request_sequencing_event_id());
    // The request as the client sent it (what replay needs).
    std::optional<UpdateRegistry::Request> original = registry.RequestOf(KeyOf(state), update_id);
    *a->mutable_accepted_request() = original ? *original : acceptance.accepted_request();
    (*state.mutable_updates())[update_id].set_accepted_event_id(event.event_id());
    effects.accepted.push_back(update_id);
  } else if (temporal::api::update::v1::Response response; message.body().UnpackTo(&response)) {
    auto record = state.mutable_updates()->find(update_id);
    if (record == state.mutable_updates()->end() || record->second.completed_event_id() != 0) return;
    HistoryEvent& event = AddEvent(run, scope.now(), enums::EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
    auto* c = event.mutable_workflow_execution_update_completed_event_attributes();
    *c->mutable_meta() = response.meta();
    c->mutable_meta()->set_update_id(update_id);
    c->set_accepted_event_id(record->second.accepted_event_id());
    *c->mutable_outcome() = response.outcome();
    record->second.set_completed_event_id(event.event_id());
    effects.completed.emplace_back(update_id, response.outcome());
  } else if (temporal::api::update::v1::Rejection rejection; message.body().UnpackTo(&rejection)) {
    UpdateRegistry::Outcome outcome;
    *outcome.mutable_failure() = rejection.failure();
    effects.completed.emplace_back(update_id, std::move(outcome));
  }
}

void ApplyPlacedMessages(MutationScope& scope, RunChange& run, const wsv1::RespondWorkflowTaskCompletedRequest& request,
                         const std::string& message_id, std::set<std::string>& handled, UpdateRegistry& registry,
                         UpdateEffects& effects) {
  for (const auto& m : request.messages()) {
    if (m.id() != message_id || !handled.insert(message_id).second) continue;
    ApplyUpdateMessage(scope, run, m, registry, effects);
  }
}

void ApplyUnplacedMessages(MutationScope& scope, RunChange& run,
                           const wsv1::RespondWorkflowTaskCompletedRequest& request, std::set<std::string>& handled,
                           UpdateRegistry& registry, UpdateEffects& effects) {
  for (const auto& m : request.messages()) {
    if (handled.insert(m.id()).second) ApplyUpdateMessage(scope, run, m, registry, effects);
  }
}

bool OnlyRejections(const wsv1::RespondWorkflowTaskCompletedRequest& request) {
  if (request.commands_size() > 0 || request.force_create_new_workflow_task()) return false;
  for (const auto& m : request.messages()) {
    if (!m.body().Is<temporal::api::update::v1::Rejection>()) return false;
  }
  return true;
}

void RejectUnansweredUpdates(const MutableState& state, const wsv1::RespondWorkflowTaskCompletedRequest& request,
                             int64_t started_event_id, UpdateRegistry& registry, UpdateEffects& effects) {
  // Not when the workflow just closed (its updates in flight fail with
  // it) nor on a heartbeat (the worker still works on them), as Temporal.
  if (!IsOpen(state) || request.force_create_new_workflow_task()) return;
  std::set<std::string> answered;
  for (const auto& m : request.messages()) answered.insert(m.protocol_instance_id());
  for (const std::string& id : registry.SentWith(KeyOf(state), started_event_id)) {
    if (answered.contains(id)) continue;
    UpdateRegistry::Outcome rejected;
    rejected.mutable_failure()->set_message(
        "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not "
        "supported by the worker.");
    rejected.mutable_failure()->set_source("Server");
    rejected.mutable_failure()->mutable_application_failure_info()->set_non_retryable(true);
    effects.completed.emplace_back(id, std::move(rejected));
  }
}

}  // namespace zaman::history
