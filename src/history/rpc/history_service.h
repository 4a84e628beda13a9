#pragma once

#include "common/thread_pool.h"
#include "history/history_client.h"
#include "zaman/historyservice/v1/service.grpc.pb.h"

namespace zaman::history::rpc {

// The history role's internal gRPC service: each RPC calls the same method
// of this host's engine. A shard this host does not own answers
// errors::ShardOwnershipLost (from the engine), which the caller's router
// takes as "ask again elsewhere". Blocking reads run on `blocking_pool`.
class HistoryService final : public historyservice::v1::HistoryService::CallbackService {
 public:
  HistoryService(HistoryClient& engine, ThreadPool& blocking_pool) : engine_(engine), pool_(blocking_pool) {}

  using Context = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* StartWorkflow(Context* c, const historyservice::v1::StartWorkflowRequest* q,
                         wsv1::StartWorkflowExecutionResponse* r) override;
  Reactor* RecordWorkflowTaskStarted(Context* c, const historyservice::v1::RecordTaskStartedRequest* q,
                                     wsv1::PollWorkflowTaskQueueResponse* r) override;
  Reactor* RespondWorkflowTaskCompleted(Context* c, const historyservice::v1::RespondWorkflowTaskCompletedRequest* q,
                                        wsv1::RespondWorkflowTaskCompletedResponse* r) override;
  Reactor* RespondWorkflowTaskFailed(Context* c, const historyservice::v1::RespondWorkflowTaskFailedRequest* q,
                                     wsv1::RespondWorkflowTaskFailedResponse* r) override;
  Reactor* RecordActivityTaskStarted(Context* c, const historyservice::v1::RecordTaskStartedRequest* q,
                                     wsv1::PollActivityTaskQueueResponse* r) override;
  Reactor* RespondActivityTask(Context* c, const historyservice::v1::RespondActivityTaskRequest* q,
                               historyservice::v1::Ack* r) override;
  Reactor* RecordActivityHeartbeat(Context* c, const historyservice::v1::RecordActivityHeartbeatRequest* q,
                                   historyservice::v1::HeartbeatReply* r) override;
  Reactor* PauseActivity(Context* c, const historyservice::v1::PauseActivityRequest* q,
                         historyservice::v1::Ack* r) override;
  Reactor* UnpauseActivity(Context* c, const historyservice::v1::UnpauseActivityRequest* q,
                           historyservice::v1::Ack* r) override;
  Reactor* ResetActivity(Context* c, const historyservice::v1::ResetActivityRequest* q,
                         historyservice::v1::Ack* r) override;
  Reactor* ActivityTokenById(Context* c, const historyservice::v1::ActivityTokenByIdRequest* q,
                             TaskToken* r) override;
  Reactor* SignalWorkflow(Context* c, const historyservice::v1::SignalWorkflowRequest* q,
                          historyservice::v1::Ack* r) override;
  Reactor* SignalWithStartWorkflow(Context* c, const historyservice::v1::SignalWithStartWorkflowRequest* q,
                                   wsv1::SignalWithStartWorkflowExecutionResponse* r) override;
  Reactor* TerminateWorkflow(Context* c, const historyservice::v1::TerminateWorkflowRequest* q,
                             historyservice::v1::Ack* r) override;
  Reactor* RequestCancelWorkflow(Context* c, const historyservice::v1::RequestCancelWorkflowRequest* q,
                                 historyservice::v1::Ack* r) override;
  Reactor* ResetStickyTaskQueue(Context* c, const historyservice::v1::ResetStickyTaskQueueRequest* q,
                                historyservice::v1::Ack* r) override;
  Reactor* DispatchTransferTask(Context* c, const historyservice::v1::DispatchTransferTaskRequest* q,
                                historyservice::v1::Ack* r) override;
  Reactor* DescribeWorkflow(Context* c, const historyservice::v1::DescribeWorkflowRequest* q,
                            wsv1::DescribeWorkflowExecutionResponse* r) override;
  Reactor* PrepareQuery(Context* c, const historyservice::v1::PrepareQueryRequest* q,
                        historyservice::v1::QueryTarget* r) override;
  Reactor* QueryTaskResponse(Context* c, const historyservice::v1::QueryTaskResponseRequest* q,
                             wsv1::PollWorkflowTaskQueueResponse* r) override;
  Reactor* UpdateWorkflow(Context* c, const historyservice::v1::UpdateWorkflowRequest* q,
                          wsv1::UpdateWorkflowExecutionResponse* r) override;
  Reactor* PollWorkflowUpdate(Context* c, const historyservice::v1::PollWorkflowUpdateRequest* q,
                              wsv1::PollWorkflowExecutionUpdateResponse* r) override;
  Reactor* DeleteWorkflow(Context* c, const historyservice::v1::DeleteWorkflowRequest* q,
                          historyservice::v1::Ack* r) override;
  Reactor* ResetWorkflow(Context* c, const historyservice::v1::ResetWorkflowRequest* q,
                         wsv1::ResetWorkflowExecutionResponse* r) override;
  Reactor* GetWorkflowHistoryReverse(Context* c, const historyservice::v1::GetWorkflowHistoryReverseRequest* q,
                                     wsv1::GetWorkflowExecutionHistoryReverseResponse* r) override;
  Reactor* GetWorkflowHistory(Context* c, const historyservice::v1::GetWorkflowHistoryRequest* q,
                              wsv1::GetWorkflowExecutionHistoryResponse* r) override;
  Reactor* CrossRunStep(Context* c, const historyservice::v1::CrossRunStepRequest* q,
                        historyservice::v1::CrossRunStepResponse* r) override;

 private:
  HistoryClient& engine_;
  ThreadPool& pool_;
};

}  // namespace zaman::history::rpc
