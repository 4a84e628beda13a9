#include "matching/rpc/matching_service.h"

#include "common/proto_time.h"
#include "matching/rpc/matching_peer.h"
#include "rpc/status_codec.h"

namespace zaman::matching::rpc {

namespace msv1 = ::zaman::matchingservice::v1;
using zaman::rpc::ToWire;
using Reactor = grpc::ServerUnaryReactor;

namespace {

std::function<void(absl::Status)> IntoAck(Reactor* reactor, msv1::Ack* r) {
  return [reactor, r](absl::Status s) {
    if (!s.ok()) return reactor->Finish(ToWire(s));
    r->set_value(true);
    reactor->Finish(grpc::Status::OK);
  };
}

// An answer with a value: Ack.value carries it.
std::function<void(absl::StatusOr<bool>)> IntoValueAck(Reactor* reactor, msv1::Ack* r) {
  return [reactor, r](absl::StatusOr<bool> value) {
    if (!value.ok()) return reactor->Finish(ToWire(value.status()));
    r->set_value(*value);
    reactor->Finish(grpc::Status::OK);
  };
}

}  // namespace

Reactor* MatchingService::AddTask(Context* c, const msv1::AddTaskRequest* q, msv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  matching_.AddTask(q->task(), IntoValueAck(reactor, r));
  return reactor;
}

Reactor* MatchingService::OfferTask(Context* c, const msv1::AddTaskRequest* q, msv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  matching_.OfferTask(q->task(), IntoValueAck(reactor, r));
  return reactor;
}

Reactor* MatchingService::Poll(Context* c, const msv1::PollRequest* q, msv1::PollResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  matching_.Poll(FromWire(q->queue()), q->sticky(), q->identity(), FromProto(q->deadline()), [c] { return c->IsCancelled(); },
                 [reactor, r](std::optional<PolledTask> polled) {
                   if (polled) {
                     *r->mutable_task() = std::move(polled->task);
                     if (polled->query) *r->mutable_query() = std::move(*polled->query);
                   }
                   reactor->Finish(grpc::Status::OK);
                 });
  return reactor;
}

Reactor* MatchingService::DropStickyQueue(Context* c, const msv1::DropStickyQueueRequest* q,
                                          msv1::DropStickyQueueResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  pool_.Post([this, q, r, reactor] {
    absl::StatusOr<std::vector<TransferTask>> tasks = matching_.DropStickyQueue(q->namespace_id(), q->sticky_queue());
    if (!tasks.ok()) return reactor->Finish(ToWire(tasks.status()));
    for (TransferTask& t : *tasks) *r->add_tasks() = std::move(t);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

Reactor* MatchingService::Describe(Context* c, const msv1::DescribeRequest* q, msv1::DescribeResponse* r) {
  Reactor* reactor = c->DefaultReactor();
  pool_.Post([this, q, r, reactor] {
    absl::StatusOr<TaskQueueDescription> described = matching_.Describe(FromWire(q->queue()), q->sticky());
    if (!described.ok()) return reactor->Finish(ToWire(described.status()));
    *r = ToWire(*described);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

Reactor* MatchingService::QueryWorkflow(Context* c, const msv1::QueryWorkflowRequest* q, QueryAnswer* r) {
  Reactor* reactor = c->DefaultReactor();
  matching_.QueryWorkflow(q->task(), q->query(), FromProto(q->deadline()),
                          [reactor, r](absl::StatusOr<QueryAnswer> answer) {
                            if (!answer.ok()) return reactor->Finish(ToWire(answer.status()));
                            *r = *std::move(answer);
                            reactor->Finish(grpc::Status::OK);
                          });
  return reactor;
}

Reactor* MatchingService::RespondQueryTask(Context* c, const msv1::RespondQueryTaskRequest* q, msv1::Ack* r) {
  Reactor* reactor = c->DefaultReactor();
  matching_.RespondQueryTask(FromWire(q->queue()), q->query_id(), q->answer(), IntoAck(reactor, r));
  return reactor;
}

}  // namespace zaman::matching::rpc
