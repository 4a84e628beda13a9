#include "history/rpc/routed_history_client.h"

#include "history/rpc/history_peer.h"
#include "history/shard_key.h"

namespace zaman::history::rpc {

using zaman::rpc::kRoutingBudget;

namespace {
absl::Time Budget() { return absl::Now() + kRoutingBudget; }
}  // namespace

RoutedHistoryClient::RoutedHistoryClient(membership::Resolver& resolver, zaman::rpc::ChannelPool& channels,
                                         HistoryClient* local, TimerService& timers,
                                         int num_shards)
    : num_shards_(num_shards),
      router_(resolver, membership::Role::kHistory, channels, local, timers,
              [](std::shared_ptr<grpc::Channel> channel) -> std::unique_ptr<HistoryClient> {
                return std::make_unique<GrpcHistoryPeer>(std::move(channel));
              }) {}

std::string RoutedHistoryClient::KeyOf(const std::string& namespace_id, const std::string& workflow_id) const {
  return std::to_string(ShardOfWorkflow(namespace_id, workflow_id, num_shards_));
}

// Each method: the key of the run it is about, and the call itself (its
// arguments copied, since a retry makes it again).

void RoutedHistoryClient::StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                                        Done<wsv1::StartWorkflowExecutionResponse> done) {
  std::string key = KeyOf(ns.id, request.workflow_id());
  router_.Route<wsv1::StartWorkflowExecutionResponse>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.StartWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task,
                                                    std::string identity, std::string request_id,
                                                    Done<wsv1::PollWorkflowTaskQueueResponse> done) {
  router_.Route<wsv1::PollWorkflowTaskQueueResponse>(
      KeyOf(task.namespace_id(), task.workflow_id()), Budget(),
      [ns, task, identity, request_id](HistoryClient& c, auto d) {
        c.RecordWorkflowTaskStarted(ns, task, identity, request_id, std::move(d));
      },
      std::move(done));
}

void RoutedHistoryClient::RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                                       wsv1::RespondWorkflowTaskCompletedRequest request,
                                                       Done<wsv1::RespondWorkflowTaskCompletedResponse> done) {
  router_.Route<wsv1::RespondWorkflowTaskCompletedResponse>(
      KeyOf(token.namespace_id(), token.workflow_id()), Budget(),
      [ns, token, request](HistoryClient& c, auto d) { c.RespondWorkflowTaskCompleted(ns, token, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::RespondWorkflowTaskFailed(const TaskToken& token,
                                                    wsv1::RespondWorkflowTaskFailedRequest request,
                                                    Done<wsv1::RespondWorkflowTaskFailedResponse> done) {
  router_.Route<wsv1::RespondWorkflowTaskFailedResponse>(
      KeyOf(token.namespace_id(), token.workflow_id()), Budget(),
      [token, request](HistoryClient& c, auto d) { c.RespondWorkflowTaskFailed(token, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task,
                                                    std::string identity, std::string request_id,
                                                    Done<wsv1::PollActivityTaskQueueResponse> done) {
  router_.Route<wsv1::PollActivityTaskQueueResponse>(
      KeyOf(task.namespace_id(), task.workflow_id()), Budget(),
      [ns, task, identity, request_id](HistoryClient& c, auto d) {
        c.RecordActivityTaskStarted(ns, task, identity, request_id, std::move(d));
      },
      std::move(done));
}

void RoutedHistoryClient::RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) {
  router_.Route<bool>(
      KeyOf(token.namespace_id(), token.workflow_id()), Budget(),
      [token, outcome](HistoryClient& c, auto d) { c.RespondActivityTask(token, outcome, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                                                  Done<HeartbeatReply> done) {
  router_.Route<HeartbeatReply>(
      KeyOf(token.namespace_id(), token.workflow_id()), Budget(),
      [token, details](HistoryClient& c, auto d) { c.RecordActivityHeartbeat(token, details, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.PauseActivity(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request,
                                          Done<bool> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.UnpauseActivity(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.ResetActivity(ns, request, std::move(d)); },
      std::move(done));
}

absl::StatusOr<TaskToken> RoutedHistoryClient::ActivityTokenById(const std::string& namespace_id,
                                                                 const std::string& workflow_id,
                                                                 const std::string& run_id,
                                                                 const std::string& activity_id) {
  return router_.RouteBlocking<TaskToken>(KeyOf(namespace_id, workflow_id), Budget(), [&](HistoryClient& c) {
    return c.ActivityTokenById(namespace_id, workflow_id, run_id, activity_id);
  });
}

void RoutedHistoryClient::SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                                         Done<bool> done) {
  std::string key = KeyOf(ns.id, request.workflow_execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.SignalWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::SignalWithStartWorkflow(const NamespaceRef& ns,
                                                  wsv1::SignalWithStartWorkflowExecutionRequest request,
                                                  Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) {
  std::string key = KeyOf(ns.id, request.workflow_id());
  router_.Route<wsv1::SignalWithStartWorkflowExecutionResponse>(
      key, Budget(),
      [ns, request](HistoryClient& c, auto d) { c.SignalWithStartWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                                            Done<bool> done) {
  std::string key = KeyOf(ns.id, request.workflow_execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.TerminateWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::RequestCancelWorkflow(const NamespaceRef& ns,
                                                wsv1::RequestCancelWorkflowExecutionRequest request,
                                                Done<bool> done) {
  std::string key = KeyOf(ns.id, request.workflow_execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.RequestCancelWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                                               Done<bool> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<bool>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.ResetStickyTaskQueue(ns, request, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::DispatchTransferTask(const TransferTask& task) {
  // Fire and forget, as on one host: the task stays in its run's outbox.
  router_.Route<bool>(
      KeyOf(task.namespace_id(), task.workflow_id()), Budget(),
      [task](HistoryClient& c, auto d) {
        c.DispatchTransferTask(task);
        d(true);
      },
      [](absl::StatusOr<bool>) {});
}

absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> RoutedHistoryClient::DescribeWorkflow(
    const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) {
  return router_.RouteBlocking<wsv1::DescribeWorkflowExecutionResponse>(
      KeyOf(ns.id, request.execution().workflow_id()), Budget(),
      [&](HistoryClient& c) { return c.DescribeWorkflow(ns, request); });
}

void RoutedHistoryClient::PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request,
                                       absl::Time deadline, Done<QueryTarget> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<QueryTarget>(
      key, deadline,
      [ns, request, deadline](HistoryClient& c, auto d) { c.PrepareQuery(ns, request, deadline, std::move(d)); },
      std::move(done));
}

absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> RoutedHistoryClient::QueryTaskResponse(
    const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) {
  return router_.RouteBlocking<wsv1::PollWorkflowTaskQueueResponse>(
      KeyOf(task.namespace_id(), task.workflow_id()), Budget(),
      [&](HistoryClient& c) { return c.QueryTaskResponse(task, query); });
}

void RoutedHistoryClient::UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request,
                                         absl::Time deadline, Done<wsv1::UpdateWorkflowExecutionResponse> done) {
  std::string key = KeyOf(ns.id, request.workflow_execution().workflow_id());
  router_.Route<wsv1::UpdateWorkflowExecutionResponse>(
      key, deadline,
      [ns, request, deadline](HistoryClient& c, auto d) { c.UpdateWorkflow(ns, request, deadline, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::PollWorkflowUpdate(const NamespaceRef& ns,
                                             wsv1::PollWorkflowExecutionUpdateRequest request, absl::Time deadline,
                                             Done<wsv1::PollWorkflowExecutionUpdateResponse> done) {
  std::string key = KeyOf(ns.id, request.update_ref().workflow_execution().workflow_id());
  router_.Route<wsv1::PollWorkflowExecutionUpdateResponse>(
      key, deadline,
      [ns, request, deadline](HistoryClient& c, auto d) { c.PollWorkflowUpdate(ns, request, deadline, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::DeleteWorkflow(const NamespaceRef& ns,
                                         const temporal::api::common::v1::WorkflowExecution& execution,
                                         const std::string& reason, Done<bool> done) {
  router_.Route<bool>(
      KeyOf(ns.id, execution.workflow_id()), Budget(),
      [ns, execution, reason](HistoryClient& c, auto d) { c.DeleteWorkflow(ns, execution, reason, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                                        Done<wsv1::ResetWorkflowExecutionResponse> done) {
  std::string key = KeyOf(ns.id, request.workflow_execution().workflow_id());
  router_.Route<wsv1::ResetWorkflowExecutionResponse>(
      key, Budget(), [ns, request](HistoryClient& c, auto d) { c.ResetWorkflow(ns, request, std::move(d)); },
      std::move(done));
}

absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> RoutedHistoryClient::GetWorkflowHistoryReverse(
    const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) {
  return router_.RouteBlocking<wsv1::GetWorkflowExecutionHistoryReverseResponse>(
      KeyOf(ns.id, request.execution().workflow_id()), Budget(),
      [&](HistoryClient& c) { return c.GetWorkflowHistoryReverse(ns, request); });
}

void RoutedHistoryClient::GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                                             absl::Time deadline,
                                             Done<wsv1::GetWorkflowExecutionHistoryResponse> done) {
  std::string key = KeyOf(ns.id, request.execution().workflow_id());
  router_.Route<wsv1::GetWorkflowExecutionHistoryResponse>(
      key, std::max(deadline, Budget()),
      [ns, request, deadline](HistoryClient& c, auto d) { c.GetWorkflowHistory(ns, request, deadline, std::move(d)); },
      std::move(done));
}

void RoutedHistoryClient::CrossRunStep(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) {
  const TransferTask& task = step.task();
  const std::string& target = task.kind() == TransferTask::START_CHILD ? step.child_request().workflow_id()
                                                                       : task.target_workflow_id();
  router_.Route<CrossRunStepResponse>(
      KeyOf(task.namespace_id(), target), Budget(),
      [step](HistoryClient& c, auto d) { c.CrossRunStep(step, std::move(d)); }, std::move(done));
}

}  // namespace zaman::history::rpc
