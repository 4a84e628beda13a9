// PauseActivity, UnpauseActivity and ResetActivity.
// A paused activity gets no new attempt: one waiting for a worker is not
// handed out, a running one hears of the pause on its next heartbeat, and
// when that attempt fails its retry waits. Unpausing dispatches the attempt
// that waits (from attempt 1 and without heartbeat details if asked).
// Resetting starts the activity over from attempt 1: one waiting (for a
// worker or a retry) is dispatched as attempt 1 now, a running one hears of
// it on its next heartbeat and its failure retries as attempt 2 at once.
#include "absl/strings/str_cat.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/workflow_run.h"

namespace zaman::history {
namespace {

// The run's activities an id or type names (all of them for `all`);
// NotFound if none.
absl::StatusOr<std::vector<persistence::v1::ActivityInfo*>> Named(MutableState& state, const std::string& id,
                                                                   const std::string& type, bool all) {
  std::vector<persistence::v1::ActivityInfo*> named;
  for (auto& [scheduled_event_id, activity] : *state.mutable_activities()) {
    const auto& scheduled = activity.scheduled();
    if (all || (!id.empty() && scheduled.activity_id() == id) ||
        (!type.empty() && scheduled.activity_type().name() == type)) {
      named.push_back(&activity);
    }
  }
  if (named.empty()) {
    return absl::NotFoundError(absl::StrCat("Activity ", id.empty() ? type : id, " not found."));
  }
  return named;
}

}  // namespace

void HistoryEngine::ChangeActivities(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                                     const std::string& id, const std::string& type, bool all,
                                     std::function<void(MutationScope&, RunChange&, persistence::v1::ActivityInfo&)> change,
                                     Done<bool> done) {
  ShardOf(ns.id, execution.workflow_id())
      .Execute<bool>(
          [ns, execution, id, type, all, change = std::move(change)](MutationScope& scope) -> absl::StatusOr<bool> {
            absl::StatusOr<RunChange*> run = LoadOpenRun(scope, ns.id, execution);
            if (!run.ok()) return run.status();
            auto named = Named((*run)->state, id, type, all);
            if (!named.ok()) return named.status();
            for (persistence::v1::ActivityInfo* activity : *named) change(scope, **run, *activity);
            return true;
          },
          std::move(done));
}

void HistoryEngine::PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done) {
  ChangeActivities(
      ns, request.execution(), request.id(), request.type(), /*all=*/false,
      [](MutationScope&, RunChange&, persistence::v1::ActivityInfo& activity) { activity.set_paused(true); },
      std::move(done));
}

void HistoryEngine::UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request, Done<bool> done) {
  ChangeActivities(ns, request.execution(), request.id(), request.type(), request.unpause_all(),
                   [request](MutationScope& scope, RunChange& run, persistence::v1::ActivityInfo& activity) {
                     if (!activity.paused()) return;
                     activity.set_paused(false);
                     if (request.reset_attempts()) activity.set_attempt(1);
                     if (request.reset_heartbeat()) activity.clear_heartbeat_details();
                     // The attempt that waited for the unpause goes out now.
                     if (!activity.started()) DispatchActivity(scope, run, activity);
                   },
                   std::move(done));
}

void HistoryEngine::ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done) {
  ChangeActivities(ns, request.execution(), request.id(), request.type(), request.match_all(),
                   [request](MutationScope& scope, RunChange& run, persistence::v1::ActivityInfo& activity) {
                     if (request.reset_heartbeat()) activity.clear_heartbeat_details();
                     if (!request.keep_paused()) activity.set_paused(false);
                     if (activity.started()) {
                       activity.set_reset_requested(true);
                       return;
                     }
                     activity.set_attempt(1);
                     if (!activity.paused()) DispatchActivity(scope, run, activity);
                   },
                   std::move(done));
}

}  // namespace zaman::history
