#pragma once

#include "common/thread_pool.h"
#include "matching/matching_client.h"
#include "zaman/matchingservice/v1/service.grpc.pb.h"

namespace zaman::matching::rpc {

// The matching role's internal gRPC service: each RPC calls the same
// method of this host's MatchingHost. A poll whose caller hangs up is
// abandoned (it gets no task). Blocking calls run on `blocking_pool`.
class MatchingService final : public matchingservice::v1::MatchingService::CallbackService {
 public:
  MatchingService(MatchingClient& matching, ThreadPool& blocking_pool) : matching_(matching), pool_(blocking_pool) {}

  using Context = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* AddTask(Context* c, const matchingservice::v1::AddTaskRequest* q, matchingservice::v1::Ack* r) override;
  Reactor* OfferTask(Context* c, const matchingservice::v1::AddTaskRequest* q, matchingservice::v1::Ack* r) override;
  Reactor* Poll(Context* c, const matchingservice::v1::PollRequest* q, matchingservice::v1::PollResponse* r) override;
  Reactor* DropStickyQueue(Context* c, const matchingservice::v1::DropStickyQueueRequest* q,
                           matchingservice::v1::DropStickyQueueResponse* r) override;
  Reactor* Describe(Context* c, const matchingservice::v1::DescribeRequest* q,
                    matchingservice::v1::DescribeResponse* r) override;
  Reactor* QueryWorkflow(Context* c, const matchingservice::v1::QueryWorkflowRequest* q, QueryAnswer* r) override;
  Reactor* RespondQueryTask(Context* c, const matchingservice::v1::RespondQueryTaskRequest* q,
                            matchingservice::v1::Ack* r) override;

 private:
  MatchingClient& matching_;
  ThreadPool& pool_;
};

}  // namespace zaman::matching::rpc
