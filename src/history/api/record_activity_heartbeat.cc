// RecordActivityTaskHeartbeat: keeps the attempt's progress details and
// tells the worker whether its activity was cancelled, paused or reset.
#include "history/engine_internal.h"
#include "history/history_engine.h"
#include "history/workflow_run.h"

namespace zaman::history {

void HistoryEngine::RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                                            Done<HeartbeatReply> done) {
  ShardOf(token.namespace_id(), token.workflow_id())
      .Execute<HeartbeatReply>(
          [token, details](MutationScope& scope) -> absl::StatusOr<HeartbeatReply> {
            absl::StatusOr<RunChange*> loaded = scope.Load(token.namespace_id(), token.workflow_id(), token.run_id());
            if (!loaded.ok()) return ActivityTaskNotFound();
            MutableState& state = (*loaded)->state;
            auto it = state.mutable_activities()->find(token.scheduled_event_id());
            if (!IsOpen(state) || it == state.mutable_activities()->end() || !it->second.started() ||
                it->second.attempt() != token.attempt()) {
              return ActivityTaskNotFound();
            }
            *it->second.mutable_heartbeat_details() = details;
            *it->second.mutable_last_heartbeat_time() = ToProto(scope.now());
            return HeartbeatReply{it->second.cancel_requested(), it->second.paused(), it->second.reset_requested()};
          },
          std::move(done));
}

}  // namespace zaman::history
