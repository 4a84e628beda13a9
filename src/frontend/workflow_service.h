#pragma once

#include <string>

#include "common/thread_pool.h"
#include "frontend/namespace_handler.h"
#include "frontend/namespace_registry.h"
#include "history/history_client.h"
#include "matching/matching_client.h"
#include "persistence/cluster_store.h"
#include "persistence/job_store.h"
#include "persistence/visibility_store.h"
#include "worker/schedule/schedule_service.h"
#include "temporal/api/operatorservice/v1/service.grpc.pb.h"
#include "temporal/api/workflowservice/v1/service.grpc.pb.h"

namespace zaman::frontend {

// What the frontend tells clients about the server and its cluster.
struct ServerIdentity {
  std::string server_version;
  persistence::ClusterMetadata cluster;
  std::string persistence_store;  // backend name, e.g. "sqlite"
};

template <typename Response>
struct PollState;  // workflow_handlers.cc

// temporal.api.workflowservice.v1.WorkflowService over gRPC's callback API:
// no RPC holds a gRPC thread while it waits. Handlers that touch the store
// run on `blocking_pool`. Methods not overridden here answer UNIMPLEMENTED.
// Thread-safe; owned by FrontendServer.
class WorkflowService final
    : public ::temporal::api::workflowservice::v1::WorkflowService::CallbackService {
 public:
  // The roles this frontend routes to. All must outlive it.
  struct Backends {
    NamespaceHandler& namespaces;
    NamespaceRegistry& registry;
    history::HistoryClient& history;
    matching::MatchingClient& matching;
    ThreadPool& blocking_pool;
    Clock& clock;
    TimerService& timers;
    Random& random;
    persistence::VisibilityStore& visibility;
    persistence::NamespaceStore& namespace_store;
    // The worker role's schedules; null: the schedule RPCs answer UNIMPLEMENTED.
    worker::schedule::ScheduleService* schedules = nullptr;
    // The worker role's batch operations; null: the batch RPCs answer UNIMPLEMENTED.
    persistence::JobStore* jobs = nullptr;
  };
  WorkflowService(Backends backends, ServerIdentity identity);

  grpc::ServerUnaryReactor* GetSystemInfo(grpc::CallbackServerContext* context,
                                          const wsv1::GetSystemInfoRequest* request,
                                          wsv1::GetSystemInfoResponse* response) override;
  grpc::ServerUnaryReactor* GetClusterInfo(grpc::CallbackServerContext* context,
                                           const wsv1::GetClusterInfoRequest* request,
                                           wsv1::GetClusterInfoResponse* response) override;
  grpc::ServerUnaryReactor* RegisterNamespace(grpc::CallbackServerContext* context,
                                              const wsv1::RegisterNamespaceRequest* request,
                                              wsv1::RegisterNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* DescribeNamespace(grpc::CallbackServerContext* context,
                                              const wsv1::DescribeNamespaceRequest* request,
                                              wsv1::DescribeNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* UpdateNamespace(grpc::CallbackServerContext* context,
                                            const wsv1::UpdateNamespaceRequest* request,
                                            wsv1::UpdateNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* ListNamespaces(grpc::CallbackServerContext* context,
                                           const wsv1::ListNamespacesRequest* request,
                                           wsv1::ListNamespacesResponse* response) override;

  // Queries (query_handlers.cc).
  grpc::ServerUnaryReactor* QueryWorkflow(grpc::CallbackServerContext* context,
      const wsv1::QueryWorkflowRequest* request, wsv1::QueryWorkflowResponse* response) override;
  grpc::ServerUnaryReactor* RespondQueryTaskCompleted(grpc::CallbackServerContext* context,
      const wsv1::RespondQueryTaskCompletedRequest* request, wsv1::RespondQueryTaskCompletedResponse* response) override;

  // Workflow RPCs (workflow_handlers.cc).
  grpc::ServerUnaryReactor* StartWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::StartWorkflowExecutionRequest* request, wsv1::StartWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* PollWorkflowTaskQueue(grpc::CallbackServerContext* context,
      const wsv1::PollWorkflowTaskQueueRequest* request, wsv1::PollWorkflowTaskQueueResponse* response) override;
  grpc::ServerUnaryReactor* RespondWorkflowTaskCompleted(grpc::CallbackServerContext* context,
      const wsv1::RespondWorkflowTaskCompletedRequest* request, wsv1::RespondWorkflowTaskCompletedResponse* response) override;
  grpc::ServerUnaryReactor* RespondWorkflowTaskFailed(grpc::CallbackServerContext* context,
      const wsv1::RespondWorkflowTaskFailedRequest* request, wsv1::RespondWorkflowTaskFailedResponse* response) override;
  grpc::ServerUnaryReactor* PollActivityTaskQueue(grpc::CallbackServerContext* context,
      const wsv1::PollActivityTaskQueueRequest* request, wsv1::PollActivityTaskQueueResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskCompleted(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskCompletedRequest* request, wsv1::RespondActivityTaskCompletedResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskCompletedById(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskCompletedByIdRequest* request, wsv1::RespondActivityTaskCompletedByIdResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskFailed(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskFailedRequest* request, wsv1::RespondActivityTaskFailedResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskFailedById(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskFailedByIdRequest* request, wsv1::RespondActivityTaskFailedByIdResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskCanceled(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskCanceledRequest* request, wsv1::RespondActivityTaskCanceledResponse* response) override;
  grpc::ServerUnaryReactor* RespondActivityTaskCanceledById(grpc::CallbackServerContext* context,
      const wsv1::RespondActivityTaskCanceledByIdRequest* request, wsv1::RespondActivityTaskCanceledByIdResponse* response) override;
  grpc::ServerUnaryReactor* RecordActivityTaskHeartbeat(grpc::CallbackServerContext* context,
      const wsv1::RecordActivityTaskHeartbeatRequest* request, wsv1::RecordActivityTaskHeartbeatResponse* response) override;
  grpc::ServerUnaryReactor* RecordActivityTaskHeartbeatById(grpc::CallbackServerContext* context,
      const wsv1::RecordActivityTaskHeartbeatByIdRequest* request, wsv1::RecordActivityTaskHeartbeatByIdResponse* response) override;
  grpc::ServerUnaryReactor* GetWorkflowExecutionHistory(grpc::CallbackServerContext* context,
      const wsv1::GetWorkflowExecutionHistoryRequest* request, wsv1::GetWorkflowExecutionHistoryResponse* response) override;
  grpc::ServerUnaryReactor* DescribeWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::DescribeWorkflowExecutionRequest* request, wsv1::DescribeWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* SignalWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::SignalWorkflowExecutionRequest* request, wsv1::SignalWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* SignalWithStartWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::SignalWithStartWorkflowExecutionRequest* request, wsv1::SignalWithStartWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* RequestCancelWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::RequestCancelWorkflowExecutionRequest* request, wsv1::RequestCancelWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* TerminateWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::TerminateWorkflowExecutionRequest* request, wsv1::TerminateWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* DescribeTaskQueue(grpc::CallbackServerContext* context,
      const wsv1::DescribeTaskQueueRequest* request, wsv1::DescribeTaskQueueResponse* response) override;
  grpc::ServerUnaryReactor* ResetStickyTaskQueue(grpc::CallbackServerContext* context,
      const wsv1::ResetStickyTaskQueueRequest* request, wsv1::ResetStickyTaskQueueResponse* response) override;
  // activity_control_handlers.cc
  grpc::ServerUnaryReactor* PauseActivity(grpc::CallbackServerContext* context,
      const wsv1::PauseActivityRequest* request, wsv1::PauseActivityResponse* response) override;
  grpc::ServerUnaryReactor* UnpauseActivity(grpc::CallbackServerContext* context,
      const wsv1::UnpauseActivityRequest* request, wsv1::UnpauseActivityResponse* response) override;
  grpc::ServerUnaryReactor* ResetActivity(grpc::CallbackServerContext* context,
      const wsv1::ResetActivityRequest* request, wsv1::ResetActivityResponse* response) override;
  grpc::ServerUnaryReactor* ShutdownWorker(grpc::CallbackServerContext* context,
      const wsv1::ShutdownWorkerRequest* request, wsv1::ShutdownWorkerResponse* response) override;
  grpc::ServerUnaryReactor* GetWorkflowExecutionHistoryReverse(grpc::CallbackServerContext* context,
      const wsv1::GetWorkflowExecutionHistoryReverseRequest* request,
      wsv1::GetWorkflowExecutionHistoryReverseResponse* response) override;
  grpc::ServerUnaryReactor* ResetWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::ResetWorkflowExecutionRequest* request, wsv1::ResetWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* DeleteWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::DeleteWorkflowExecutionRequest* request, wsv1::DeleteWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* ExecuteMultiOperation(grpc::CallbackServerContext* context,
      const wsv1::ExecuteMultiOperationRequest* request, wsv1::ExecuteMultiOperationResponse* response) override;
  grpc::ServerUnaryReactor* UpdateWorkflowExecution(grpc::CallbackServerContext* context,
      const wsv1::UpdateWorkflowExecutionRequest* request, wsv1::UpdateWorkflowExecutionResponse* response) override;
  grpc::ServerUnaryReactor* PollWorkflowExecutionUpdate(grpc::CallbackServerContext* context,
      const wsv1::PollWorkflowExecutionUpdateRequest* request,
      wsv1::PollWorkflowExecutionUpdateResponse* response) override;

  // Schedules (schedule_handlers.cc); the work is the worker role's.
  grpc::ServerUnaryReactor* CreateSchedule(grpc::CallbackServerContext* context,
      const wsv1::CreateScheduleRequest* request, wsv1::CreateScheduleResponse* response) override;
  grpc::ServerUnaryReactor* DescribeSchedule(grpc::CallbackServerContext* context,
      const wsv1::DescribeScheduleRequest* request, wsv1::DescribeScheduleResponse* response) override;
  grpc::ServerUnaryReactor* UpdateSchedule(grpc::CallbackServerContext* context,
      const wsv1::UpdateScheduleRequest* request, wsv1::UpdateScheduleResponse* response) override;
  grpc::ServerUnaryReactor* PatchSchedule(grpc::CallbackServerContext* context,
      const wsv1::PatchScheduleRequest* request, wsv1::PatchScheduleResponse* response) override;
  grpc::ServerUnaryReactor* ListScheduleMatchingTimes(grpc::CallbackServerContext* context,
      const wsv1::ListScheduleMatchingTimesRequest* request, wsv1::ListScheduleMatchingTimesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSchedule(grpc::CallbackServerContext* context,
      const wsv1::DeleteScheduleRequest* request, wsv1::DeleteScheduleResponse* response) override;
  grpc::ServerUnaryReactor* ListSchedules(grpc::CallbackServerContext* context,
      const wsv1::ListSchedulesRequest* request, wsv1::ListSchedulesResponse* response) override;
  grpc::ServerUnaryReactor* CountSchedules(grpc::CallbackServerContext* context,
      const wsv1::CountSchedulesRequest* request, wsv1::CountSchedulesResponse* response) override;

  // Visibility (visibility_handlers.cc).
  grpc::ServerUnaryReactor* ListWorkflowExecutions(grpc::CallbackServerContext* context,
      const wsv1::ListWorkflowExecutionsRequest* request, wsv1::ListWorkflowExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* ScanWorkflowExecutions(grpc::CallbackServerContext* context,
      const wsv1::ScanWorkflowExecutionsRequest* request, wsv1::ScanWorkflowExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* CountWorkflowExecutions(grpc::CallbackServerContext* context,
      const wsv1::CountWorkflowExecutionsRequest* request, wsv1::CountWorkflowExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* ListOpenWorkflowExecutions(grpc::CallbackServerContext* context,
      const wsv1::ListOpenWorkflowExecutionsRequest* request,
      wsv1::ListOpenWorkflowExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* ListClosedWorkflowExecutions(grpc::CallbackServerContext* context,
      const wsv1::ListClosedWorkflowExecutionsRequest* request,
      wsv1::ListClosedWorkflowExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* GetSearchAttributes(grpc::CallbackServerContext* context,
      const wsv1::GetSearchAttributesRequest* request, wsv1::GetSearchAttributesResponse* response) override;

  // Batch operations (batch_handlers.cc).
  grpc::ServerUnaryReactor* StartBatchOperation(grpc::CallbackServerContext* context,
      const wsv1::StartBatchOperationRequest* request, wsv1::StartBatchOperationResponse* response) override;
  grpc::ServerUnaryReactor* DescribeBatchOperation(grpc::CallbackServerContext* context,
      const wsv1::DescribeBatchOperationRequest* request, wsv1::DescribeBatchOperationResponse* response) override;
  grpc::ServerUnaryReactor* ListBatchOperations(grpc::CallbackServerContext* context,
      const wsv1::ListBatchOperationsRequest* request, wsv1::ListBatchOperationsResponse* response) override;
  grpc::ServerUnaryReactor* StopBatchOperation(grpc::CallbackServerContext* context,
      const wsv1::StopBatchOperationRequest* request, wsv1::StopBatchOperationResponse* response) override;

 private:
  // Runs `handler` on the blocking pool and finishes the call with its result.
  template <typename Response, typename Handler>
  grpc::ServerUnaryReactor* OffloadUnary(grpc::CallbackServerContext* context, Response* response,
                                         Handler handler);

  // Resolves the namespace on the blocking pool and answers with
  // `read(ns)`, a blocking read, on the same thread.
  template <typename Response, typename Read>
  grpc::ServerUnaryReactor* ReadInNamespace(grpc::CallbackServerContext* context, const std::string& ns,
                                            Response* response, Read read);
  // One page of runs matching a filter.
  absl::StatusOr<persistence::VisibilityPage> ListRuns(const history::NamespaceRef& ns, const std::string& query,
                                                       int page_size, const std::string& page_token);

  // Resolves the request's namespace on the blocking pool, then runs
  // `start(ns, done)`; `done` finishes the call. For RPCs whose work is
  // asynchronous (history mutations, long polls).
  template <typename Response>
  grpc::ServerUnaryReactor* WithNamespace(
      grpc::CallbackServerContext* context, const std::string& ns, Response* response,
      std::function<void(const history::NamespaceRef&, history::Done<Response>)> start);

  // The deadline a long poll may wait until: a second before the caller's,
  // and never past `cap` from now.
  absl::Time LongPollDeadline(grpc::CallbackServerContext* context, absl::Duration cap) const;

  // Hands workflow / activity tasks from matching to a poller, through
  // history (which records the start); retries with the next task when one
  // turns out stale.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* StartPoll(grpc::CallbackServerContext* context, const Request* request,
                                      Response* response, history::TransferTask::Kind kind);
  template <typename Response>
  void PollForTask(std::shared_ptr<PollState<Response>> poll);
  // Puts a query task on the workflow's queue and waits for the answer.
  void DispatchQuery(const history::NamespaceRef& ns, const wsv1::QueryWorkflowRequest& request,
                     const history::HistoryClient::QueryTarget& target, absl::Time deadline,
                     history::Done<wsv1::QueryWorkflowResponse> done);
  // Hands a query task (with the run's history) to the poller.
  void DeliverQueryTask(std::shared_ptr<PollState<wsv1::PollWorkflowTaskQueueResponse>> poll,
                        const history::TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query);

  // Activity completions and heartbeats address an activity by task token
  // or by workflow + activity id.
 public:
  struct ActivityTarget {
    bool by_id;
    std::string task_token;
    std::string workflow_id, run_id, activity_id;
  };

 private:
  template <typename Response>
  grpc::ServerUnaryReactor* RespondActivity(grpc::CallbackServerContext* context, const std::string& ns,
                                            ActivityTarget target, Response* response,
                                            history::HistoryClient::ActivityOutcome outcome);
  template <typename Response>
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* context, const std::string& ns,
                                      ActivityTarget target, const temporal::api::common::v1::Payloads& details,
                                      Response* response);

  Backends backends_;
  NamespaceHandler& namespaces_;
  ThreadPool& blocking_pool_;
  const ServerIdentity identity_;
};

namespace opv1 = ::temporal::api::operatorservice::v1;

// temporal.api.operatorservice.v1.OperatorService: custom search attributes
// (per namespace). Methods not overridden answer UNIMPLEMENTED.
class OperatorService final : public opv1::OperatorService::CallbackService {
 public:
  OperatorService(persistence::NamespaceStore& store, NamespaceRegistry& registry, ThreadPool& blocking_pool)
      : store_(store), registry_(registry), blocking_pool_(blocking_pool) {}

  grpc::ServerUnaryReactor* AddSearchAttributes(grpc::CallbackServerContext* context,
      const opv1::AddSearchAttributesRequest* request, opv1::AddSearchAttributesResponse* response) override;
  grpc::ServerUnaryReactor* RemoveSearchAttributes(grpc::CallbackServerContext* context,
      const opv1::RemoveSearchAttributesRequest* request, opv1::RemoveSearchAttributesResponse* response) override;
  grpc::ServerUnaryReactor* ListSearchAttributes(grpc::CallbackServerContext* context,
      const opv1::ListSearchAttributesRequest* request, opv1::ListSearchAttributesResponse* response) override;

 private:
  // Applies `change` to the namespace's definitions (retrying a concurrent
  // update), then makes the registry read them again.
  absl::Status ChangeSearchAttributes(
      const std::string& ns, const std::function<absl::Status(persistence::NamespaceRecord&)>& change);

  persistence::NamespaceStore& store_;
  NamespaceRegistry& registry_;
  ThreadPool& blocking_pool_;
};

}  // namespace zaman::frontend
