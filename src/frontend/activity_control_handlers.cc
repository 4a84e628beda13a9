// PauseActivity, UnpauseActivity and ResetActivity (the activity is named by
// id or type in a workflow execution); the work is history's
// (history/api/activity_controls.cc).
#include "common/errors.h"
#include "frontend/request_validation.h"
#include "frontend/workflow_service.h"
#include "frontend/workflow_service_calls.h"

namespace zaman::frontend {

grpc::ServerUnaryReactor* WorkflowService::PauseActivity(grpc::CallbackServerContext* context,
                                                         const wsv1::PauseActivityRequest* request,
                                                         wsv1::PauseActivityResponse* response) {
  return WithNamespace<wsv1::PauseActivityResponse>(
      context, request->namespace_(), response, [this, request](const history::NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        if (request->id().empty() && request->type().empty()) {
          return done(errors::InvalidArgument("Either activity id or activity type must be set."));
        }
        backends_.history.PauseActivity(ns, *request, [done](absl::StatusOr<bool> paused) {
          if (!paused.ok()) return done(paused.status());
          done(wsv1::PauseActivityResponse());
        });
      });
}

grpc::ServerUnaryReactor* WorkflowService::UnpauseActivity(grpc::CallbackServerContext* context,
                                                           const wsv1::UnpauseActivityRequest* request,
                                                           wsv1::UnpauseActivityResponse* response) {
  return WithNamespace<wsv1::UnpauseActivityResponse>(
      context, request->namespace_(), response, [this, request](const history::NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        if (request->id().empty() && request->type().empty() && !request->unpause_all()) {
          return done(errors::InvalidArgument("Either activity id, activity type or unpause_all must be set."));
        }
        backends_.history.UnpauseActivity(ns, *request, [done](absl::StatusOr<bool> unpaused) {
          if (!unpaused.ok()) return done(unpaused.status());
          done(wsv1::UnpauseActivityResponse());
        });
      });
}

grpc::ServerUnaryReactor* WorkflowService::ResetActivity(grpc::CallbackServerContext* context,
                                                         const wsv1::ResetActivityRequest* request,
                                                         wsv1::ResetActivityResponse* response) {
  return WithNamespace<wsv1::ResetActivityResponse>(
      context, request->namespace_(), response, [this, request](const history::NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        if (request->id().empty() && request->type().empty() && !request->match_all()) {
          return done(errors::InvalidArgument("Either activity id, activity type or match_all must be set."));
        }
        backends_.history.ResetActivity(ns, *request, [done](absl::StatusOr<bool> reset) {
          if (!reset.ok()) return done(reset.status());
          done(wsv1::ResetActivityResponse());
        });
      });
}

}  // namespace zaman::frontend
