// ResetStickyTaskQueue: the run's next workflow tasks go to its normal
// queue (the worker that cached it dropped it).
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

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

}  // namespace zaman::history
