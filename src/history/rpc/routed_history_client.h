#pragma once

#include <memory>
#include <string>

#include "common/timer_service.h"
#include "history/history_client.h"
#include "rpc/router.h"

namespace zaman::history::rpc {

// The HistoryClient of a cluster: each call goes to the history host that
// owns the workflow's shard (this process's engine when that is this
// host), and is asked again where the ring points next while the answer is
// retryable (the shard is moving). Callers see at most a retryable error.
class RoutedHistoryClient final : public HistoryClient {
 public:
  // `local` may be null (this process runs no history role).
  RoutedHistoryClient(membership::Resolver& resolver, zaman::rpc::ChannelPool& channels, HistoryClient* local,
                      TimerService& timers, int num_shards);

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
  void SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request, Done<bool> done) override;
  void SignalWithStartWorkflow(const NamespaceRef& ns, wsv1::SignalWithStartWorkflowExecutionRequest request,
                               Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) override;
  void TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                         Done<bool> done) override;
  void RequestCancelWorkflow(const NamespaceRef& ns, wsv1::RequestCancelWorkflowExecutionRequest request,
                             Done<bool> done) override;
  void ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                            Done<bool> done) override;
  void DispatchTransferTask(const TransferTask& task) override;
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

 // This host's address on the ring, once it listens: calls it owns go
  // to `local` directly.
  void SetLocalAddress(std::string address) { router_.SetLocalAddress(std::move(address)); }

 private:
  // The ring key of the workflow's shard.
  std::string KeyOf(const std::string& namespace_id, const std::string& workflow_id) const;

  const int num_shards_;
  zaman::rpc::Router<HistoryClient> router_;
};

}  // namespace zaman::history::rpc
