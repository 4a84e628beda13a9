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
#include "history/history_client.h"
#include "history/shard.h"
#include "history/update_registry.h"
#include "matching/matching_client.h"
#include "persistence/visibility_store.h"

namespace zaman::history {

struct StartedWorkflowTask;

// The history role: owns the shards of this host and turns API requests
// into mutations of workflow runs; its outbox tasks go to `matching`.
// Thread-safe. Callbacks run on a shard's thread or on the engine's read
// pool; they must not block.
class HistoryEngine final : public HistoryClient, public ShardListener {
 public:
  HistoryEngine(persistence::ExecutionStore& store, persistence::VisibilityStore& visibility, Clock& clock,
                TimerService& timers, Random& random, int num_shards, matching::MatchingClient& matching,
                ThreadPool& read_pool, ShardOptions shard_options = {});
  ~HistoryEngine() override;

  // Takes every shard (one host has them all).
  absl::Status Start();
  // In a cluster the ShardController takes and gives back single shards as
  // the ring says. A shard this host does not own answers every request
  // with errors::ShardOwnershipLost.
  absl::Status AcquireShard(int32_t shard_id);
  void ReleaseShard(int32_t shard_id);
  // Whether the shard runs here and still holds its range.
  bool OwnsShard(int32_t shard_id) const;
  bool ShardRunning(int32_t shard_id) const;
  // Offers every workflow and activity task still in the outbox of the
  // shards this host owns to matching again (a matching host left, and the
  // tasks it held in memory with it).
  void RedispatchMatchingTasks();
  int num_shards() const { return num_shards_; }
  // Where cross-run steps go: this engine unless set (a cluster routes them
  // to the owner of the target's shard).
  void SetRouter(HistoryClient& router) { router_ = &router; }
  // Answers every parked history long poll (as if its wait ran out).
  void ReleaseWaiters();
  void Stop();

  int32_t ShardFor(const std::string& namespace_id, const std::string& workflow_id) const;

  // HistoryClient (documented there).
  void StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                     Done<wsv1::StartWorkflowExecutionResponse> done) override;
  void RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                 std::string request_id, Done<wsv1::PollWorkflowTaskQueueResponse> done) override;
  void RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                    wsv1::RespondWorkflowTaskCompletedRequest request,
                                    Done<wsv1::RespondWorkflowTaskCompletedResponse> done) override;
  void RespondWorkflowTaskFailed(const TaskToken& token, wsv1::RespondWorkflowTaskFailedRequest request,
                                 Done<wsv1::RespondWorkflowTaskFailedResponse> done) override;
  void RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                 std::string request_id, Done<wsv1::PollActivityTaskQueueResponse> done) override;
  void RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) override;
  void RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                               Done<HeartbeatReply> done) override;
  void PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done) override;
  void UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request, Done<bool> done) override;
  void ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done) override;
  absl::StatusOr<TaskToken> ActivityTokenById(const std::string& namespace_id, const std::string& workflow_id,
                                              const std::string& run_id, const std::string& activity_id) override;
  void SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                      Done<bool> done) override;
  void SignalWithStartWorkflow(const NamespaceRef& ns, wsv1::SignalWithStartWorkflowExecutionRequest request,
                               Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) override;
  void TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                         Done<bool> done) override;
  void RequestCancelWorkflow(const NamespaceRef& ns, wsv1::RequestCancelWorkflowExecutionRequest request,
                             Done<bool> done) override;
  void ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                            Done<bool> done) override;
  absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> DescribeWorkflow(
      const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) override;
  void PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                    Done<QueryTarget> done) override;
  absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> QueryTaskResponse(
      const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) override;
  void UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request, absl::Time deadline,
                      Done<wsv1::UpdateWorkflowExecutionResponse> done) override;
  void PollWorkflowUpdate(const NamespaceRef& ns, wsv1::PollWorkflowExecutionUpdateRequest request,
                          absl::Time deadline, Done<wsv1::PollWorkflowExecutionUpdateResponse> done) override;
  void DeleteWorkflow(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                      const std::string& reason, Done<bool> done) override;
  void ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                     Done<wsv1::ResetWorkflowExecutionResponse> done) override;
  absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> GetWorkflowHistoryReverse(
      const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) override;
  void GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                          absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done) override;

  void CrossRunStep(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) override;

  // ShardListener, and HistoryClient's DispatchTransferTask.
  void DispatchTransferTask(const TransferTask& task) override;
  void TimerDue(int32_t shard_id, const TimerTask& task) override;
  void RunChanged(const MutableState& state) override;
  void RunDeleted(const RunKey& run) override;

 private:
  Shard& ShardOf(const std::string& namespace_id, const std::string& workflow_id);
  int OwnedShardCount() const;
  // Applies `change` to the activities of the open run that `id` or `type`
  // names (all of them for `all`); NotFound if none (api/activity_controls.cc).
  void ChangeActivities(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                        const std::string& id, const std::string& type, bool all,
                        std::function<void(MutationScope&, RunChange&, persistence::v1::ActivityInfo&)> change,
                        Done<bool> done);
  // Completes a started workflow task's poll response: its history (first
  // page) and the Workflow Updates waiting for the worker.
  void SendWorkflowTask(StartedWorkflowTask started, Done<wsv1::PollWorkflowTaskQueueResponse> done);
  // Hands a workflow or activity task to matching, again later if
  // matching cannot be reached.
  void AddToMatching(const TransferTask& task);
  // A workflow task whose sticky worker is gone: moved to the normal queue
  // (stickiness cleared), then dispatched there.
  void MoveToNormalQueue(const TransferTask& task);
  // Runs a blocking read for `run`, now or (if it has nothing new for the
  // caller) after the run next changes, or at `deadline`.
  // `until_closed`: only the run's close (or deletion) wakes it, not every change.
  void WaitForRun(const RunKey& run, absl::Time deadline, std::function<void(bool changed)> then,
                  bool until_closed = false);
  absl::StatusOr<QueryTarget> QueryTargetOf(const RunKey& run, const wsv1::QueryWorkflowRequest& request);
  absl::StatusOr<std::string> ResolveRunId(const std::string& namespace_id, const std::string& workflow_id,
                                           const std::string& run_id);

  // Writes a run's visibility record, then completes its outbox task;
  // tries again later if the store refuses.
  void WriteVisibility(const TransferTask& task);

  // Outbox tasks that change another run (cross_run_tasks.cc).
  void ProcessCrossRunTask(const TransferTask& task);
  void StartChild(const TransferTask& task);
  void StartChildRun(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done);
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
  matching::MatchingClient& matching_;
  ThreadPool& read_pool_;
  std::vector<std::unique_ptr<Shard>> shards_;  // all of them; each runs only while owned
  HistoryClient* router_ = this;
  UpdateRegistry updates_;

  // Where an update stands in the run's durable state, found by a mutation.
  struct UpdateLookup {
    RunKey run;
    int64_t completed_event_id = 0;  // its outcome is in this event
    bool accepted = false;
  };
  // Answers the history long polls parked on the run (while it is still
  // open, not those waiting for its close).
  void WakeWaiters(const RunKey& run, bool still_open);
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
    bool until_closed = false;
  };
  absl::Mutex waiters_mu_;
  std::map<RunKey, std::vector<Waiter>> waiters_ ABSL_GUARDED_BY(waiters_mu_);
  uint64_t next_waiter_id_ ABSL_GUARDED_BY(waiters_mu_) = 1;
};

}  // namespace zaman::history
