#include "history/rpc/history_service.h"

#include "common/proto_time.h"
#include "history/rpc/wire.h"
#include "rpc/status_codec.h"

namespace zaman::history::rpc {

using zaman::rpc::ToWire;

namespace {

using Reactor = grpc::ServerUnaryReactor;

// The engine's answer, into the RPC's response.
template <typename Out>
Done<Out> Into(Reactor* reactor, Out* out) {
  return [reactor, out](absl::StatusOr<Out> result) {
    if (!result.ok()) return reactor->Finish(ToWire(result.status()));
    *out = *std::move(result);
    reactor->Finish(grpc::Status::OK);
  };
}

Done<bool> IntoAck(Reactor* reactor, hsv1::Ack* out) {
  return [reactor, out](absl::StatusOr<bool> result) {
    if (!result.ok()) return reactor->Finish(ToWire(result.status()));
    out->set_value(*result);
    reactor->Finish(grpc::Status::OK);
  };
}

}  // namespace

// Runs a blocking read on the pool, not on gRPC's thread.
#define ZAMAN_BLOCKING_READ(context, out, read)                                         \
  Reactor* reactor = (context)->DefaultReactor();                                       \
  pool_.Post([this, request, out, reactor] { Into(reactor, out)(read); });              \
  return reactor

Reactor* HistoryService::StartWorkflow(Context* c, const hsv1::StartWorkflowRequest* request,
                                       wsv1::StartWorkflowExecutionResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.StartWorkflow(FromWire(request->namespace_()), request->request(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::RecordWorkflowTaskStarted(Context* c, const hsv1::RecordTaskStartedRequest* request,
                                                   wsv1::PollWorkflowTaskQueueResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RecordWorkflowTaskStarted(FromWire(request->namespace_()), request->task(), request->identity(),
                                    request->request_id(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::RespondWorkflowTaskCompleted(Context* c,
                                                      const hsv1::RespondWorkflowTaskCompletedRequest* request,
                                                      wsv1::RespondWorkflowTaskCompletedResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RespondWorkflowTaskCompleted(FromWire(request->namespace_()), request->token(), request->request(),
                                       Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::RespondWorkflowTaskFailed(Context* c, const hsv1::RespondWorkflowTaskFailedRequest* request,
                                                   wsv1::RespondWorkflowTaskFailedResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RespondWorkflowTaskFailed(request->token(), request->request(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::RecordActivityTaskStarted(Context* c, const hsv1::RecordTaskStartedRequest* request,
                                                   wsv1::PollActivityTaskQueueResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RecordActivityTaskStarted(FromWire(request->namespace_()), request->task(), request->identity(),
                                    request->request_id(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::RespondActivityTask(Context* c, const hsv1::RespondActivityTaskRequest* request,
                                             hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  HistoryClient::ActivityOutcome outcome;
  outcome.kind = request->outcome() == hsv1::RespondActivityTaskRequest::COMPLETED ? HistoryClient::ActivityOutcome::kCompleted
                 : request->outcome() == hsv1::RespondActivityTaskRequest::FAILED ? HistoryClient::ActivityOutcome::kFailed
                                                                                  : HistoryClient::ActivityOutcome::kCanceled;
  outcome.result = request->result();
  outcome.failure = request->failure();
  outcome.details = request->details();
  outcome.identity = request->identity();
  engine_.RespondActivityTask(request->token(), std::move(outcome), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::RecordActivityHeartbeat(Context* c, const hsv1::RecordActivityHeartbeatRequest* request,
                                                 hsv1::HeartbeatReply* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RecordActivityHeartbeat(request->token(), request->details(),
                                  [reactor, r](absl::StatusOr<HistoryClient::HeartbeatReply> reply) {
                                    if (!reply.ok()) return reactor->Finish(ToWire(reply.status()));
                                    r->set_cancel_requested(reply->cancel_requested);
                                    r->set_paused(reply->paused);
                                    r->set_reset(reply->reset);
                                    reactor->Finish(grpc::Status::OK);
                                  });
  return reactor;
}

Reactor* HistoryService::PauseActivity(Context* c, const hsv1::PauseActivityRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.PauseActivity(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::UnpauseActivity(Context* c, const hsv1::UnpauseActivityRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.UnpauseActivity(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::ResetActivity(Context* c, const hsv1::ResetActivityRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.ResetActivity(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::ActivityTokenById(Context* c, const hsv1::ActivityTokenByIdRequest* request,
                                           TaskToken* r) {
  ZAMAN_BLOCKING_READ(c, r,
                      engine_.ActivityTokenById(request->namespace_id(), request->workflow_id(), request->run_id(),
                                                request->activity_id()));
}

Reactor* HistoryService::SignalWorkflow(Context* c, const hsv1::SignalWorkflowRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.SignalWorkflow(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::SignalWithStartWorkflow(Context* c, const hsv1::SignalWithStartWorkflowRequest* request,
                                                 wsv1::SignalWithStartWorkflowExecutionResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.SignalWithStartWorkflow(FromWire(request->namespace_()), request->request(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::TerminateWorkflow(Context* c, const hsv1::TerminateWorkflowRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.TerminateWorkflow(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::RequestCancelWorkflow(Context* c, const hsv1::RequestCancelWorkflowRequest* request,
                                               hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.RequestCancelWorkflow(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::ResetStickyTaskQueue(Context* c, const hsv1::ResetStickyTaskQueueRequest* request,
                                              hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.ResetStickyTaskQueue(FromWire(request->namespace_()), request->request(), IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::DispatchTransferTask(Context* c, const hsv1::DispatchTransferTaskRequest* request,
                                              hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.DispatchTransferTask(request->task());
  r->set_value(true);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

Reactor* HistoryService::DescribeWorkflow(Context* c, const hsv1::DescribeWorkflowRequest* request,
                                          wsv1::DescribeWorkflowExecutionResponse* r) {
  ZAMAN_BLOCKING_READ(c, r, engine_.DescribeWorkflow(FromWire(request->namespace_()), request->request()));
}

Reactor* HistoryService::PrepareQuery(Context* c, const hsv1::PrepareQueryRequest* request, hsv1::QueryTarget* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.PrepareQuery(FromWire(request->namespace_()), request->request(), FromProto(request->deadline()),
                       [reactor, r](absl::StatusOr<HistoryClient::QueryTarget> target) {
                         if (!target.ok()) return reactor->Finish(ToWire(target.status()));
                         r->set_run_id(target->run_id);
                         *r->mutable_task_queue() = target->task_queue;
                         if (target->rejected) *r->mutable_rejected() = *target->rejected;
                         r->set_task_pending(target->task_pending);
                         reactor->Finish(grpc::Status::OK);
                       });
  return reactor;
}

Reactor* HistoryService::QueryTaskResponse(Context* c, const hsv1::QueryTaskResponseRequest* request,
                                           wsv1::PollWorkflowTaskQueueResponse* r) {
  ZAMAN_BLOCKING_READ(c, r, engine_.QueryTaskResponse(request->task(), request->query()));
}

Reactor* HistoryService::UpdateWorkflow(Context* c, const hsv1::UpdateWorkflowRequest* request,
                                        wsv1::UpdateWorkflowExecutionResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.UpdateWorkflow(FromWire(request->namespace_()), request->request(), FromProto(request->deadline()),
                         Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::PollWorkflowUpdate(Context* c, const hsv1::PollWorkflowUpdateRequest* request,
                                            wsv1::PollWorkflowExecutionUpdateResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.PollWorkflowUpdate(FromWire(request->namespace_()), request->request(), FromProto(request->deadline()),
                             Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::DeleteWorkflow(Context* c, const hsv1::DeleteWorkflowRequest* request, hsv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.DeleteWorkflow(FromWire(request->namespace_()), request->execution(), request->reason(),
                         IntoAck(reactor, r));
  return reactor;
}

Reactor* HistoryService::ResetWorkflow(Context* c, const hsv1::ResetWorkflowRequest* request,
                                       wsv1::ResetWorkflowExecutionResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.ResetWorkflow(FromWire(request->namespace_()), request->request(), Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::GetWorkflowHistoryReverse(Context* c, const hsv1::GetWorkflowHistoryReverseRequest* request,
                                                   wsv1::GetWorkflowExecutionHistoryReverseResponse* r) {
  ZAMAN_BLOCKING_READ(c, r, engine_.GetWorkflowHistoryReverse(FromWire(request->namespace_()), request->request()));
}

Reactor* HistoryService::GetWorkflowHistory(Context* c, const hsv1::GetWorkflowHistoryRequest* request,
                                            wsv1::GetWorkflowExecutionHistoryResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.GetWorkflowHistory(FromWire(request->namespace_()), request->request(), FromProto(request->deadline()),
                             Into(reactor, r));
  return reactor;
}

Reactor* HistoryService::CrossRunStep(Context* c, const hsv1::CrossRunStepRequest* request,
                                      hsv1::CrossRunStepResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  engine_.CrossRunStep(*request, Into(reactor, r));
  return reactor;
}

#undef ZAMAN_BLOCKING_READ

}  // namespace zaman::history::rpc
