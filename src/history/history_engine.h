#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/random.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "history/shard.h"
#include "history/update_registry.h"
#include "persistence/visibility_store.h"
#include "visibility/search_attributes.h"
#include "temporal/api/query/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"

namespace zaman::history {

namespace wsv1 = ::temporal::api::workflowservice::v1;
using TaskToken = ::zaman::persistence::v1::TaskToken;

struct StartedWorkflowTask;

template <typename T>
using Done = std::function<void(absl::StatusOr<T>)>;

// Where committed outbox tasks go (the matching role).
class TaskSink {
 public:
  virtual ~TaskSink() = default;
  virtual void AddTask(const TransferTask& task) = 0;
  // Whether a worker is (or was just now) polling this sticky queue. When
  // none is, its workflow tasks go to the normal queue instead.
  virtual bool StickyWorkerAvailable(const std::string& namespace_id, const std::string& sticky_queue) = 0;
};

// The namespace a request is in, resolved by the frontend.
struct NamespaceRef {
  std::string id;
  std::string name;
  // Its custom search attributes (never null once resolved).
  std::shared_ptr<const visibility::SearchAttributeTypes> search_attributes =
      std::make_shared<const visibility::SearchAttributeTypes>();
};

// The history role: owns the shards of this host and turns API requests
// into mutations of workflow runs. Thread-safe. Callbacks run on a shard's
// thread or on the engine's read pool; they must not block.
class HistoryEngine final : public ShardListener {
 public:
  HistoryEngine(persistence::ExecutionStore& store, persistence::VisibilityStore& visibility, Clock& clock,
                TimerService& timers, Random& random, int num_shards, TaskSink& sink, ThreadPool& read_pool);
  ~HistoryEngine() override;

  absl::Status Start();
  // Answers every parked history long poll (as if its wait ran out).
  void ReleaseWaiters();
  void Stop();

  int32_t ShardFor(const std::string& namespace_id, const std::string& workflow_id) const;

  void StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                     Done<wsv1::StartWorkflowExecutionResponse> done);
  void RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                 std::string request_id, Done<wsv1::PollWorkflowTaskQueueResponse> done);
  void RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                    wsv1::RespondWorkflowTaskCompletedRequest request,
                                    Done<wsv1::RespondWorkflowTaskCompletedResponse> done);
  void RespondWorkflowTaskFailed(const TaskToken& token, wsv1::RespondWorkflowTaskFailedRequest request,
                                 Done<wsv1::RespondWorkflowTaskFailedResponse> done);
  void RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                 std::string request_id, Done<wsv1::PollActivityTaskQueueResponse> done);

  // How an activity attempt ended, as the worker reported it.
  struct ActivityOutcome {
    enum Kind { kCompleted, kFailed, kCanceled } kind;
    temporal::api::common::v1::Payloads result;  // completed
    temporal::api::failure::v1::Failure failure;  // failed
    temporal::api::common::v1::Payloads details;  // canceled; failed: last heartbeat details
    std::string identity;
  };
  void RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done);
  // What a heartbeat tells the worker about its activity.
  struct HeartbeatReply {
    bool cancel_requested = false;
    bool paused = false;
    bool reset = false;
  };
  void RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                               Done<HeartbeatReply> done);
  // PauseActivity / UnpauseActivity / ResetActivity (api/activity_controls.cc): the run's
  // activities named by id or type (or all, unpausing).
  void PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done);
  void UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request, Done<bool> done);
  void ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done);
  // Resolves an activity by workflow + activity id into a token for the calls above.
  absl::StatusOr<TaskToken> ActivityTokenById(const std::string& namespace_id, const std::string& workflow_id,
                                              const std::string& run_id, const std::string& activity_id);

  void SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request, Done<bool> done);
  void SignalWithStartWorkflow(const NamespaceRef& ns, wsv1::SignalWithStartWorkflowExecutionRequest request,
                               Done<wsv1::SignalWithStartWorkflowExecutionResponse> done);
  void TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request, Done<bool> done);
  void RequestCancelWorkflow(const NamespaceRef& ns, wsv1::RequestCancelWorkflowExecutionRequest request,
                             Done<bool> done);
  // The run's next workflow tasks go to its normal queue (the worker that
  // cached it dropped it).
  void ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request, Done<bool> done);

  // Blocking reads.
  absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> DescribeWorkflow(
      const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request);
  // Where a query goes: the run to ask (and its task queue), or the
  // rejection the caller asked for by query_reject_condition.
  struct QueryTarget {
    std::string run_id;
    temporal::api::taskqueue::v1::TaskQueue task_queue;
    std::optional<temporal::api::query::v1::QueryRejected> rejected;
    // A workflow task is pending or running: the answer must wait for it.
    bool task_pending = false;
  };
  // Waits (until `deadline`) for the first workflow task to complete when no
  // worker has run the workflow yet (WorkflowNotReady if it never does), and
  // for a pending or running workflow task to be done, so the answer shows
  // the state after it (Temporal's consistent query; DeadlineExceeded if it
  // never is).
  void PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                    Done<QueryTarget> done);
  // The poll response that carries a query task: the run's history from the
  // start (first page) and the query.
  absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> QueryTaskResponse(
      const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query);

  // Workflow Update: admits the update (once per update id), gets it to
  // the worker, and answers when it reaches the requested stage or at
  // `deadline` with the stage reached so far.
  void UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request, absl::Time deadline,
                      Done<wsv1::UpdateWorkflowExecutionResponse> done);
  void PollWorkflowUpdate(const NamespaceRef& ns, wsv1::PollWorkflowExecutionUpdateRequest request,
                          absl::Time deadline, Done<wsv1::PollWorkflowExecutionUpdateResponse> done);

  // Removes the run (the current one when run_id is empty) and its history,
  // terminating it first if it is still running.
  void DeleteWorkflow(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                      const std::string& reason, Done<bool> done);
  // A new run from the old one's history up to a workflow task
  // (api/reset_workflow.cc).
  void ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                     Done<wsv1::ResetWorkflowExecutionResponse> done);
  // History newest first, a page at a time.
  absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> GetWorkflowHistoryReverse(
      const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request);

  // May wait (wait_new_event, CLOSE_EVENT) until `deadline` for the run to change.
  void GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                          absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done);

  // ShardListener.
  void DispatchTransferTask(const TransferTask& task) override;
  void TimerDue(int32_t shard_id, const TimerTask& task) override;
  void RunChanged(const MutableState& state) override;
  void RunDeleted(const RunKey& run) override;

 private:
  Shard& ShardOf(const std::string& namespace_id, const std::string& workflow_id);
  // Applies `change` to the activities of the open run that `id` or `type`
  // names (all of them for `all`); NotFound if none (api/activity_controls.cc).
  void ChangeActivities(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                        const std::string& id, const std::string& type, bool all,
                        std::function<void(MutationScope&, RunChange&, persistence::v1::ActivityInfo&)> change,
                        Done<bool> done);
  // Completes a started workflow task's poll response: its history (first
  // page) and the Workflow Updates waiting for the worker.
  void SendWorkflowTask(StartedWorkflowTask started, Done<wsv1::PollWorkflowTaskQueueResponse> done);
  // A workflow task whose sticky worker is gone: moved to the normal queue
  // (stickiness cleared), then dispatched there.
  void MoveToNormalQueue(const TransferTask& task);
  // Runs a blocking read for `run`, now or (if it has nothing new for the
  // caller) after the run next changes, or at `deadline`.
  void WaitForRun(const RunKey& run, absl::Time deadline, std::function<void(bool changed)> then);
  absl::StatusOr<QueryTarget> QueryTargetOf(const RunKey& run, const wsv1::QueryWorkflowRequest& request);
  absl::StatusOr<std::string> ResolveRunId(const std::string& namespace_id, const std::string& workflow_id,
                                           const std::string& run_id);

  // Writes a run's visibility record, then completes its outbox task;
  // tries again later if the store refuses.
  void WriteVisibility(const TransferTask& task);

  // Outbox tasks that change another run (cross_run_tasks.cc).
  void ProcessCrossRunTask(const TransferTask& task);
  void StartChild(const TransferTask& task);
  void DeliverChildClosed(const TransferTask& task);
  void ApplyParentClosePolicy(const TransferTask& task);
  void DeliverExternalRequest(const TransferTask& task);
  void RetryCrossRunTask(const TransferTask& task, const absl::Status& why);
  // Completes the task in its own shard's outbox.
  void CompleteTask(const TransferTask& task);
  // The event the task's `initiated_event_id` names, in the task's run (blocking read).
  absl::StatusOr<HistoryEvent> InitiatedEventOf(const TransferTask& task);

  persistence::ExecutionStore& store_;
  persistence::VisibilityStore& visibility_;
  Clock& clock_;
  TimerService& timers_;
  Random& random_;
  const int num_shards_;
  TaskSink& sink_;
  ThreadPool& read_pool_;
  std::vector<std::unique_ptr<Shard>> shards_;
  UpdateRegistry updates_;

  // Where an update stands in the run's durable state, found by a mutation.
  struct UpdateLookup {
    RunKey run;
    int64_t completed_event_id = 0;  // its outcome is in this event
    bool accepted = false;
  };
  // Answers the history long polls parked on the run.
  void WakeWaiters(const RunKey& run);
  // A closed run's updates in flight fail.
  void UpdatesOfClosedRun(const MutableState& state);
  // Finds or admits the update on its run's shard, then waits for `stage`.
  void LookUpUpdate(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                    const std::string& first_execution_run_id, const std::string& update_id,
                    const UpdateRegistry::Request* admit, UpdateRegistry::Stage stage, absl::Time deadline,
                    std::function<void(absl::StatusOr<UpdateRegistry::Result>, const RunKey&)> then);

  struct Waiter {
    uint64_t id;
    std::function<void(bool)> then;
    TimerService::TimerId timer;
  };
  absl::Mutex waiters_mu_;
  std::map<RunKey, std::vector<Waiter>> waiters_ ABSL_GUARDED_BY(waiters_mu_);
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(waiters_mu_) = 1;
};

}  // namespace zaman::history
