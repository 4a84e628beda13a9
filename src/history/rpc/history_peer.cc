#include "history/rpc/history_peer.h"

#include "common/proto_time.h"
#include "history/rpc/wire.h"
#include "rpc/unary_call.h"

namespace zaman::history::rpc {

using zaman::rpc::AsyncUnary;
using zaman::rpc::BlockingUnary;
using zaman::rpc::kDefaultCallTimeout;
using zaman::rpc::kLongPollSlack;
using Stub = historyservice::v1::HistoryService::Stub;

namespace {

absl::Time DefaultDeadline() { return absl::Now() + kDefaultCallTimeout; }

// The call, answered as it came.
template <typename Request, typename Response, typename Invoke>
void Call(Invoke invoke, Request request, absl::Time deadline, Done<Response> done) {
  AsyncUnary<Request, Response, Response>(
      std::move(invoke), std::move(request), deadline, [](Response& r) { return std::move(r); }, std::move(done));
}

// A call answered with an Ack.
template <typename Request, typename Invoke>
void CallAck(Invoke invoke, Request request, Done<bool> done) {
  AsyncUnary<Request, hsv1::Ack, bool>(
      std::move(invoke), std::move(request), DefaultDeadline(), [](hsv1::Ack& r) { return r.value(); },
      std::move(done));
}

// Requests of the form {namespace, request}.
template <typename Wrapped, typename Inner>
Wrapped WithNamespace(const NamespaceRef& ns, Inner request) {
  Wrapped wrapped;
  *wrapped.mutable_namespace_() = ToWire(ns);
  *wrapped.mutable_request() = std::move(request);
  return wrapped;
}

}  // namespace

GrpcHistoryPeer::GrpcHistoryPeer(std::shared_ptr<grpc::Channel> channel)
    : stub_(historyservice::v1::HistoryService::NewStub(std::move(channel))) {}

#define ZAMAN_ASYNC(method) [this](auto... a) { stub_->async()->method(a...); }
#define ZAMAN_BLOCKING(method) [this](auto... a) { return stub_->method(a...); }

void GrpcHistoryPeer::StartWorkflow(const NamespaceRef& ns, wsv1::StartWorkflowExecutionRequest request,
                                    Done<wsv1::StartWorkflowExecutionResponse> done) {
  Call(ZAMAN_ASYNC(StartWorkflow), WithNamespace<hsv1::StartWorkflowRequest>(ns, std::move(request)),
       DefaultDeadline(), std::move(done));
}

namespace {
hsv1::RecordTaskStartedRequest TaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                           std::string request_id) {
  hsv1::RecordTaskStartedRequest r;
  *r.mutable_namespace_() = ToWire(ns);
  *r.mutable_task() = task;
  r.set_identity(std::move(identity));
  r.set_request_id(std::move(request_id));
  return r;
}
}  // namespace

void GrpcHistoryPeer::RecordWorkflowTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                                std::string request_id,
                                                Done<wsv1::PollWorkflowTaskQueueResponse> done) {
  Call(ZAMAN_ASYNC(RecordWorkflowTaskStarted), TaskStarted(ns, task, std::move(identity), std::move(request_id)),
       DefaultDeadline(), std::move(done));
}

void GrpcHistoryPeer::RespondWorkflowTaskCompleted(const NamespaceRef& ns, const TaskToken& token,
                                                   wsv1::RespondWorkflowTaskCompletedRequest request,
                                                   Done<wsv1::RespondWorkflowTaskCompletedResponse> done) {
  hsv1::RespondWorkflowTaskCompletedRequest r;
  *r.mutable_namespace_() = ToWire(ns);
  *r.mutable_token() = token;
  *r.mutable_request() = std::move(request);
  Call(ZAMAN_ASYNC(RespondWorkflowTaskCompleted), std::move(r), DefaultDeadline(), std::move(done));
}

void GrpcHistoryPeer::RespondWorkflowTaskFailed(const TaskToken& token, wsv1::RespondWorkflowTaskFailedRequest request,
                                                Done<wsv1::RespondWorkflowTaskFailedResponse> done) {
  hsv1::RespondWorkflowTaskFailedRequest r;
  *r.mutable_token() = token;
  *r.mutable_request() = std::move(request);
  Call(ZAMAN_ASYNC(RespondWorkflowTaskFailed), std::move(r), DefaultDeadline(), std::move(done));
}

void GrpcHistoryPeer::RecordActivityTaskStarted(const NamespaceRef& ns, const TransferTask& task, std::string identity,
                                                std::string request_id,
                                                Done<wsv1::PollActivityTaskQueueResponse> done) {
  Call(ZAMAN_ASYNC(RecordActivityTaskStarted), TaskStarted(ns, task, std::move(identity), std::move(request_id)),
       DefaultDeadline(), std::move(done));
}

void GrpcHistoryPeer::RespondActivityTask(const TaskToken& token, ActivityOutcome outcome, Done<bool> done) {
  hsv1::RespondActivityTaskRequest r;
  *r.mutable_token() = token;
  r.set_outcome(outcome.kind == ActivityOutcome::kCompleted ? hsv1::RespondActivityTaskRequest::COMPLETED
                : outcome.kind == ActivityOutcome::kFailed  ? hsv1::RespondActivityTaskRequest::FAILED
                                                            : hsv1::RespondActivityTaskRequest::CANCELED);
  *r.mutable_result() = std::move(outcome.result);
  *r.mutable_failure() = std::move(outcome.failure);
  *r.mutable_details() = std::move(outcome.details);
  r.set_identity(std::move(outcome.identity));
  CallAck(ZAMAN_ASYNC(RespondActivityTask), std::move(r), std::move(done));
}

void GrpcHistoryPeer::RecordActivityHeartbeat(const TaskToken& token, temporal::api::common::v1::Payloads details,
                                              Done<HeartbeatReply> done) {
  hsv1::RecordActivityHeartbeatRequest r;
  *r.mutable_token() = token;
  *r.mutable_details() = std::move(details);
  AsyncUnary<hsv1::RecordActivityHeartbeatRequest, hsv1::HeartbeatReply, HeartbeatReply>(
      ZAMAN_ASYNC(RecordActivityHeartbeat), std::move(r), DefaultDeadline(),
      [](hsv1::HeartbeatReply& reply) {
        return HeartbeatReply{reply.cancel_requested(), reply.paused(), reply.reset()};
      },
      std::move(done));
}

void GrpcHistoryPeer::PauseActivity(const NamespaceRef& ns, wsv1::PauseActivityRequest request, Done<bool> done) {
  CallAck(ZAMAN_ASYNC(PauseActivity), WithNamespace<hsv1::PauseActivityRequest>(ns, std::move(request)),
          std::move(done));
}

void GrpcHistoryPeer::UnpauseActivity(const NamespaceRef& ns, wsv1::UnpauseActivityRequest request, Done<bool> done) {
  CallAck(ZAMAN_ASYNC(UnpauseActivity), WithNamespace<hsv1::UnpauseActivityRequest>(ns, std::move(request)),
          std::move(done));
}

void GrpcHistoryPeer::ResetActivity(const NamespaceRef& ns, wsv1::ResetActivityRequest request, Done<bool> done) {
  CallAck(ZAMAN_ASYNC(ResetActivity), WithNamespace<hsv1::ResetActivityRequest>(ns, std::move(request)),
          std::move(done));
}

absl::StatusOr<TaskToken> GrpcHistoryPeer::ActivityTokenById(const std::string& namespace_id,
                                                             const std::string& workflow_id, const std::string& run_id,
                                                             const std::string& activity_id) {
  hsv1::ActivityTokenByIdRequest r;
  r.set_namespace_id(namespace_id);
  r.set_workflow_id(workflow_id);
  r.set_run_id(run_id);
  r.set_activity_id(activity_id);
  return BlockingUnary<hsv1::ActivityTokenByIdRequest, TaskToken>(ZAMAN_BLOCKING(ActivityTokenById), r);
}

void GrpcHistoryPeer::SignalWorkflow(const NamespaceRef& ns, wsv1::SignalWorkflowExecutionRequest request,
                                     Done<bool> done) {
  CallAck(ZAMAN_ASYNC(SignalWorkflow), WithNamespace<hsv1::SignalWorkflowRequest>(ns, std::move(request)),
          std::move(done));
}

void GrpcHistoryPeer::SignalWithStartWorkflow(const NamespaceRef& ns,
                                              wsv1::SignalWithStartWorkflowExecutionRequest request,
                                              Done<wsv1::SignalWithStartWorkflowExecutionResponse> done) {
  Call(ZAMAN_ASYNC(SignalWithStartWorkflow),
       WithNamespace<hsv1::SignalWithStartWorkflowRequest>(ns, std::move(request)), DefaultDeadline(),
       std::move(done));
}

void GrpcHistoryPeer::TerminateWorkflow(const NamespaceRef& ns, wsv1::TerminateWorkflowExecutionRequest request,
                                        Done<bool> done) {
  CallAck(ZAMAN_ASYNC(TerminateWorkflow), WithNamespace<hsv1::TerminateWorkflowRequest>(ns, std::move(request)),
          std::move(done));
}

void GrpcHistoryPeer::RequestCancelWorkflow(const NamespaceRef& ns,
                                            wsv1::RequestCancelWorkflowExecutionRequest request, Done<bool> done) {
  CallAck(ZAMAN_ASYNC(RequestCancelWorkflow),
          WithNamespace<hsv1::RequestCancelWorkflowRequest>(ns, std::move(request)), std::move(done));
}

void GrpcHistoryPeer::ResetStickyTaskQueue(const NamespaceRef& ns, wsv1::ResetStickyTaskQueueRequest request,
                                           Done<bool> done) {
  CallAck(ZAMAN_ASYNC(ResetStickyTaskQueue),
          WithNamespace<hsv1::ResetStickyTaskQueueRequest>(ns, std::move(request)), std::move(done));
}

void GrpcHistoryPeer::DispatchTransferTask(const TransferTask& task) {
  hsv1::DispatchTransferTaskRequest r;
  *r.mutable_task() = task;
  // Fire and forget: a task not dispatched is still in its run's outbox.
  CallAck(ZAMAN_ASYNC(DispatchTransferTask), std::move(r), [](absl::StatusOr<bool>) {});
}

absl::StatusOr<wsv1::DescribeWorkflowExecutionResponse> GrpcHistoryPeer::DescribeWorkflow(
    const NamespaceRef& ns, const wsv1::DescribeWorkflowExecutionRequest& request) {
  return BlockingUnary<hsv1::DescribeWorkflowRequest, wsv1::DescribeWorkflowExecutionResponse>(
      ZAMAN_BLOCKING(DescribeWorkflow), WithNamespace<hsv1::DescribeWorkflowRequest>(ns, request));
}

void GrpcHistoryPeer::PrepareQuery(const NamespaceRef& ns, wsv1::QueryWorkflowRequest request, absl::Time deadline,
                                   Done<QueryTarget> done) {
  auto r = WithNamespace<hsv1::PrepareQueryRequest>(ns, std::move(request));
  *r.mutable_deadline() = ToProto(deadline);
  AsyncUnary<hsv1::PrepareQueryRequest, hsv1::QueryTarget, QueryTarget>(
      ZAMAN_ASYNC(PrepareQuery), std::move(r), deadline + kLongPollSlack,
      [](hsv1::QueryTarget& wire) {
        QueryTarget target;
        target.run_id = wire.run_id();
        target.task_queue = wire.task_queue();
        if (wire.has_rejected()) target.rejected = wire.rejected();
        target.task_pending = wire.task_pending();
        return target;
      },
      std::move(done));
}

absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> GrpcHistoryPeer::QueryTaskResponse(
    const TransferTask& task, const temporal::api::query::v1::WorkflowQuery& query) {
  hsv1::QueryTaskResponseRequest r;
  *r.mutable_task() = task;
  *r.mutable_query() = query;
  return BlockingUnary<hsv1::QueryTaskResponseRequest, wsv1::PollWorkflowTaskQueueResponse>(
      ZAMAN_BLOCKING(QueryTaskResponse), r);
}

void GrpcHistoryPeer::UpdateWorkflow(const NamespaceRef& ns, wsv1::UpdateWorkflowExecutionRequest request,
                                     absl::Time deadline, Done<wsv1::UpdateWorkflowExecutionResponse> done) {
  auto r = WithNamespace<hsv1::UpdateWorkflowRequest>(ns, std::move(request));
  *r.mutable_deadline() = ToProto(deadline);
  Call(ZAMAN_ASYNC(UpdateWorkflow), std::move(r), deadline + kLongPollSlack, std::move(done));
}

void GrpcHistoryPeer::PollWorkflowUpdate(const NamespaceRef& ns, wsv1::PollWorkflowExecutionUpdateRequest request,
                                         absl::Time deadline, Done<wsv1::PollWorkflowExecutionUpdateResponse> done) {
  auto r = WithNamespace<hsv1::PollWorkflowUpdateRequest>(ns, std::move(request));
  *r.mutable_deadline() = ToProto(deadline);
  Call(ZAMAN_ASYNC(PollWorkflowUpdate), std::move(r), deadline + kLongPollSlack, std::move(done));
}

void GrpcHistoryPeer::DeleteWorkflow(const NamespaceRef& ns,
                                     const temporal::api::common::v1::WorkflowExecution& execution,
                                     const std::string& reason, Done<bool> done) {
  hsv1::DeleteWorkflowRequest r;
  *r.mutable_namespace_() = ToWire(ns);
  *r.mutable_execution() = execution;
  r.set_reason(reason);
  CallAck(ZAMAN_ASYNC(DeleteWorkflow), std::move(r), std::move(done));
}

void GrpcHistoryPeer::ResetWorkflow(const NamespaceRef& ns, wsv1::ResetWorkflowExecutionRequest request,
                                    Done<wsv1::ResetWorkflowExecutionResponse> done) {
  Call(ZAMAN_ASYNC(ResetWorkflow), WithNamespace<hsv1::ResetWorkflowRequest>(ns, std::move(request)),
       DefaultDeadline(), std::move(done));
}

absl::StatusOr<wsv1::GetWorkflowExecutionHistoryReverseResponse> GrpcHistoryPeer::GetWorkflowHistoryReverse(
    const NamespaceRef& ns, const wsv1::GetWorkflowExecutionHistoryReverseRequest& request) {
  return BlockingUnary<hsv1::GetWorkflowHistoryReverseRequest, wsv1::GetWorkflowExecutionHistoryReverseResponse>(
      ZAMAN_BLOCKING(GetWorkflowHistoryReverse), WithNamespace<hsv1::GetWorkflowHistoryReverseRequest>(ns, request));
}

void GrpcHistoryPeer::GetWorkflowHistory(const NamespaceRef& ns, wsv1::GetWorkflowExecutionHistoryRequest request,
                                         absl::Time deadline, Done<wsv1::GetWorkflowExecutionHistoryResponse> done) {
  auto r = WithNamespace<hsv1::GetWorkflowHistoryRequest>(ns, std::move(request));
  *r.mutable_deadline() = ToProto(deadline);
  Call(ZAMAN_ASYNC(GetWorkflowHistory), std::move(r), deadline + kLongPollSlack, std::move(done));
}

void GrpcHistoryPeer::CrossRunStep(const CrossRunStepRequest& step, Done<CrossRunStepResponse> done) {
  Call(ZAMAN_ASYNC(CrossRunStep), step, DefaultDeadline(), std::move(done));
}

#undef ZAMAN_ASYNC
#undef ZAMAN_BLOCKING

}  // namespace zaman::history::rpc
