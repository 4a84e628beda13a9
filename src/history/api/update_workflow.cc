// Workflow Update: UpdateWorkflowExecution and PollWorkflowExecutionUpdate.
// An update is admitted in memory (update_registry.h) and reaches the worker
// as a protocol message on a workflow task (speculative when the run had
// none); the worker's acceptance and response become history events
// (commands.cc), a rejection leaves none.
#include "absl/strings/str_cat.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

namespace update = ::temporal::api::update::v1;

UpdateRegistry::Stage Wanted(UpdateRegistry::Stage stage) {
  return stage == enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED
             ? enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
             : stage;
}

update::UpdateRef RefOf(const RunKey& run, const std::string& update_id) {
  update::UpdateRef ref;
  ref.mutable_workflow_execution()->set_workflow_id(std::get<1>(run));
  ref.mutable_workflow_execution()->set_run_id(std::get<2>(run));
  ref.set_update_id(update_id);
  return ref;
}

}  // namespace

void HistoryEngine::LookUpUpdate(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                                 const std::string& first_execution_run_id, const std::string& update_id,
                                 const UpdateRegistry::Request* admit, UpdateRegistry::Stage stage,
                                 absl::Time deadline,
                                 std::function<void(absl::StatusOr<UpdateRegistry::Result>, const RunKey&)> then) {
  struct Found {
    UpdateLookup lookup;
    bool admitted_now = false;
  };
  std::optional<UpdateRegistry::Request> to_admit;
  if (admit != nullptr) to_admit = *admit;
  ShardOf(ns.id, execution.workflow_id())
      .Execute<Found>(
          [this, ns, execution, first_execution_run_id, update_id, to_admit](
              MutationScope& scope) -> absl::StatusOr<Found> {
            absl::StatusOr<RunChange*> loaded = LoadRun(scope, ns.id, execution);
            if (!loaded.ok()) return loaded.status();
            RunChange& run = **loaded;
            const MutableState& state = run.state;
            if (!first_execution_run_id.empty() && first_execution_run_id != state.first_execution_run_id()) {
              return absl::NotFoundError("workflow not found for the given first execution run id");
            }
            Found found;
            found.lookup.run = KeyOf(state);
            if (auto record = state.updates().find(update_id); record != state.updates().end()) {
              found.lookup.accepted = true;
              found.lookup.completed_event_id = record->second.completed_event_id();
              return found;
            }
            if (!IsOpen(state)) return AlreadyCompleted();
            if (updates_.Has(found.lookup.run, update_id)) return found;  // in flight: join it
            if (!to_admit) return absl::NotFoundError(absl::StrCat("update ", update_id, " not found"));
            found.admitted_now = updates_.Admit(found.lookup.run, *to_admit);
            // It goes out with the next workflow task: the pending one, or
            // one made for it that leaves no trace if the worker rejects it.
            // It does not wait out a start delay (ScheduleWorkflowTask).
            if (!state.has_workflow_task()) ScheduleWorkflowTask(scope, run, /*speculative=*/true);
            return found;
          },
          [this, update_id, stage, deadline, then = std::move(then)](absl::StatusOr<Found> found) {
            if (!found.ok()) return then(found.status(), RunKey{});
            const RunKey run = found->lookup.run;
            if (found->lookup.completed_event_id != 0) {
              // Done before: the outcome is in its completed event.
              read_pool_.Post([this, run, event_id = found->lookup.completed_event_id, then] {
                absl::StatusOr<std::vector<HistoryEvent>> events = store_.ReadHistory(
                    std::get<0>(run), std::get<1>(run), std::get<2>(run), event_id, event_id + 1, 1);
                if (!events.ok()) return then(events.status(), run);
                if (events->empty()) return then(absl::InternalError("an update's completed event is missing"), run);
                UpdateRegistry::Result result;
                result.stage = enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
                result.outcome = events->front().workflow_execution_update_completed_event_attributes().outcome();
                then(result, run);
              });
              return;
            }
            if (found->lookup.accepted) updates_.TrackAccepted(run, update_id);
            updates_.Wait(run, update_id, stage, deadline, [run, then](UpdateRegistry::Result result) {
              if (!result.error.ok()) return then(result.error, run);
              then(result, run);
            });
          });
}

void HistoryEngine::UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request,
                                   absl::Time deadline, Done<wsv1::UpdateWorkflowExecutionResponse> done) {
  const std::string update_id = request.request().meta().update_id();
  LookUpUpdate(ns, request.workflow_execution(), request.first_execution_run_id(), update_id, &request.request(),
               Wanted(request.wait_policy().lifecycle_stage()), deadline,
               [update_id, done = std::move(done)](absl::StatusOr<UpdateRegistry::Result> result, const RunKey& run) {
                 if (!result.ok()) return done(result.status());
                 wsv1::UpdateWorkflowExecutionResponse response;
                 *response.mutable_update_ref() = RefOf(run, update_id);
                 response.set_stage(result->stage);
                 if (result->outcome) *response.mutable_outcome() = *result->outcome;
                 done(std::move(response));
               });
}

void HistoryEngine::PollWorkflowUpdate(const NamespaceRef& ns, wsv1::PollWorkflowExecutionUpdateRequest request,
                                       absl::Time deadline, Done<wsv1::PollWorkflowExecutionUpdateResponse> done) {
  const std::string update_id = request.update_ref().update_id();
  // Without a wait policy: where it stands now.
  UpdateRegistry::Stage stage = request.wait_policy().lifecycle_stage();
  if (stage == enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED) {
    stage = enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
  }
  LookUpUpdate(ns, request.update_ref().workflow_execution(), "", update_id, nullptr, stage, deadline,
               [update_id, done = std::move(done)](absl::StatusOr<UpdateRegistry::Result> result, const RunKey& run) {
                 if (!result.ok()) return done(result.status());
                 wsv1::PollWorkflowExecutionUpdateResponse response;
                 *response.mutable_update_ref() = RefOf(run, update_id);
                 response.set_stage(result->stage);
                 if (result->outcome) *response.mutable_outcome() = *result->outcome;
                 done(std::move(response));
               });
}

void HistoryEngine::UpdatesOfClosedRun(const MutableState& state) {
  const RunKey run = KeyOf(state);
  if (!updates_.Tracks(run)) return;
  absl::Status admitted_error =
      state.status() == enums::WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
          ? absl::UnavailableError("workflow continued as new: send the update again to reach the new run")
          : AlreadyCompleted();
  // Runs after the closing commit's own update effects (shard.h).
  updates_.RunClosed(run, admitted_error);
}

}  // namespace zaman::history
