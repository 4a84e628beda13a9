#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "visibility/search_attributes.h"
#include "zaman/historyservice/v1/service.pb.h"
#include "zaman/persistence/v1/execution.pb.h"
#include "temporal/api/query/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"

namespace zaman::history {

namespace wsv1 = ::temporal::api::workflowservice::v1;
using TaskToken = ::zaman::persistence::v1::TaskToken;
using TransferTask = ::zaman::persistence::v1::TransferTask;
using CrossRunStepRequest = ::zaman::historyservice::v1::CrossRunStepRequest;
using CrossRunStepResponse = ::zaman::historyservice::v1::CrossRunStepResponse;

template <typename T>
using Done = std::function<void(absl::StatusOr<T>)>;

// The namespace a request is in, resolved by the frontend.
struct NamespaceRef {
  std::string id;
  std::string name;
  // Its custom search attributes (never null once resolved).
  std::shared_ptr<const visibility::SearchAttributeTypes> search_attributes =
      std::make_shared<const visibility::SearchAttributeTypes>();
};

// The history role as its callers (the frontend, the worker role) see it:
// API requests that read or mutate workflow runs. In one process it is the
// HistoryEngine itself; its callers never know which implementation they
// have. Thread-safe. Callbacks run on a thread of the implementation's
// (a shard's, a read pool's); they must not block. The "blocking reads"
// block the calling thread and must not be called on a callback thread.
class HistoryClient {
 public:
  virtual ~HistoryClient() = default;

  virtual void StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                             Done<wsv1::StartWorkflowExecutionResponse> done) = 0;
  // A task matching handed to a poller: history records its start and
  // fills in what the worker needs. NotFound: the task is stale (already
  // started, run gone).
  virtual void RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                         std::string request_id,
                                         Done<wsv1::PollWorkflowTaskQueueResponse> done) = 0;
  virtual void RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                            wsv1::RespondWorkflowTaskCompletedRequest request,
                                            Done<wsv1::RespondWorkflowTaskCompletedResponse> done) = 0;
  virtual void RespondWorkflowTaskFailed(const TaskToken& token, wsv1::RespondWorkflowTaskFailedRequest request,
                                         Done<wsv1::RespondWorkflowTaskFailedResponse> done) = 0;
  virtual void RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                         std::string request_id,
                                         Done<wsv1::PollActivityTaskQueueResponse> done) = 0;

  // How an activity attempt ended, as the worker reported it.
  struct ActivityOutcome {
    enum Kind { kCompleted, kFailed, kCanceled } kind;
    temporal::api::common::v1::Payloads result;  // completed
    temporal::api::failure::v1::Failure failure;  // failed
    temporal::api::common::v1::Payloads details;  // canceled; failed: last heartbeat details
    std::string identity;
  };
  virtual void RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) = 0;
  // What a heartbeat tells the worker about its activity.
  struct HeartbeatReply {
    bool cancel_requested = false;
    bool paused = false;
    bool reset = false;
  };
  virtual void RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                                       Done<HeartbeatReply> done) = 0;
  // PauseActivity / UnpauseActivity / ResetActivity (api/activity_controls.cc): the run's
  // activities named by id or type (or all, unpausing).
  virtual void PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done) = 0;
  virtual void UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request, Done<bool> done) = 0;
  virtual void ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done) = 0;
  // Resolves an activity by workflow + activity id into a token for the
  // calls above (blocking read).
  virtual absl::StatusOr<TaskToken> ActivityTokenById(const std::string& namespace_id,
                                                      const std::string& workflow_id, const std::string& run_id,
                                                      const std::string& activity_id) = 0;

  virtual void SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                              Done<bool> done) = 0;
  virtual void SignalWithStartWorkflow(const NamespaceRef& ns, wsv1::SignalWithStartWorkflowExecutionRequest request,
                                       Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) = 0;
  virtual void TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                                 Done<bool> done) = 0;
  virtual void RequestCancelWorkflow(const NamespaceRef& ns, wsv1::RequestCancelWorkflowExecutionRequest request,
                                     Done<bool> done) = 0;
  // The run's next workflow tasks go to its normal queue (the worker that
  // cached it dropped it).
  virtual void ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                                    Done<bool> done) = 0;
  // Routes a committed outbox task again, as history does when it commits
  // one: for tasks matching gave back (a sticky queue whose worker stopped),
  // which then go to their run's normal queue.
  virtual void DispatchTransferTask(const TransferTask& task) = 0;

  // Blocking read.
  virtual absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> DescribeWorkflow(
      const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) = 0;

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
  virtual void PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                            Done<QueryTarget> done) = 0;
  // The poll response that carries a query task: the run's history from the
  // start (first page) and the query (blocking read).
  virtual absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> QueryTaskResponse(
      const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) = 0;

  // Workflow Update: admits the update (once per update id), gets it to
  // the worker, and answers when it reaches the requested stage or at
  // `deadline` with the stage reached so far.
  virtual void UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request,
                              absl::Time deadline, Done<wsv1::UpdateWorkflowExecutionResponse> done) = 0;
  virtual void PollWorkflowUpdate(const NamespaceRef& ns, wsv1::PollWorkflowExecutionUpdateRequest request,
                                  absl::Time deadline, Done<wsv1::PollWorkflowExecutionUpdateResponse> done) = 0;

  // Removes the run (the current one when run_id is empty) and its history,
  // terminating it first if it is still running.
  virtual void DeleteWorkflow(const NamespaceRef& ns, const temporal::api::common::v1::WorkflowExecution& execution,
                              const std::string& reason, Done<bool> done) = 0;
  // A new run from the old one's history up to a workflow task
  // (api/reset_workflow.cc).
  virtual void ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                             Done<wsv1::ResetWorkflowExecutionResponse> done) = 0;
  // History newest first, a page at a time (blocking read).
  virtual absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> GetWorkflowHistoryReverse(
      const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) = 0;
  // May wait (wait_new_event, CLOSE_EVENT) until `deadline` for the run to change.
  virtual void GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                                  absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done) = 0;

  // One step of an outbox task that changes another run — a child to
  // start, a parent to tell, a close policy, a signal or cancel request —
  // on the shard of the run it changes (cross_run_tasks.cc). History hosts
  // call it on each other.
  virtual void CrossRunStep(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) = 0;
};

}  // namespace zaman::history
