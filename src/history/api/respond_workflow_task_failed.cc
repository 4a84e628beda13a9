// RespondWorkflowTaskFailed: the started workflow task fails and its next
// attempt is scheduled.
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_engine.h"

namespace zaman::history {

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

}  // namespace zaman::history
