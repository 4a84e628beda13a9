#include "matching/rpc/matching_peer.h"

#include "common/proto_time.h"
#include "rpc/unary_call.h"

namespace zaman::matching::rpc {

namespace msv1 = ::zaman::matchingservice::v1;
using zaman::rpc::AsyncUnary;
using zaman::rpc::BlockingUnary;
using zaman::rpc::kDefaultCallTimeout;
using zaman::rpc::kLongPollSlack;

msv1::TaskQueueKey ToWire(const TaskQueueKey& queue) {
  msv1::TaskQueueKey wire;
  wire.set_namespace_id(std::get<0>(queue));
  wire.set_name(std::get<1>(queue));
  wire.set_kind(std::get<2>(queue));
  return wire;
}

TaskQueueKey FromWire(const msv1::TaskQueueKey& wire) { return {wire.namespace_id(), wire.name(), wire.kind()}; }

msv1::DescribeResponse ToWire(const TaskQueueDescription& description) {
  msv1::DescribeResponse wire;
  for (const PollerInfo& p : description.pollers) {
    auto* poller = wire.add_pollers();
    poller->set_identity(p.identity);
    *poller->mutable_last_access_time() = ToProto(p.last_access_time);
  }
  const TaskQueueStats& stats = description.stats;
  wire.set_backlog_count(stats.backlog_count);
  *wire.mutable_backlog_age() = ToProto(stats.backlog_age);
  wire.set_add_rate(stats.add_rate);
  wire.set_dispatch_rate(stats.dispatch_rate);
  const PartitionStatus& status = description.status;
  wire.set_partition_backlog_count(status.backlog_count);
  wire.set_read_level(status.read_level);
  wire.set_ack_level(status.ack_level);
  wire.set_range_id(status.range_id);
  return wire;
}

TaskQueueDescription FromWire(const msv1::DescribeResponse& wire) {
  TaskQueueDescription description;
  for (const auto& p : wire.pollers()) description.pollers.push_back({p.identity(), FromProto(p.last_access_time())});
  description.stats = {wire.backlog_count(), FromProto(wire.backlog_age()), wire.add_rate(), wire.dispatch_rate()};
  description.status = {wire.partition_backlog_count(), wire.read_level(), wire.ack_level(), wire.range_id()};
  return description;
}

GrpcMatchingPeer::GrpcMatchingPeer(std::shared_ptr<grpc::Channel> channel)
    : stub_(msv1::MatchingService::NewStub(std::move(channel))) {}

#define ZAMAN_ASYNC(method) [this](auto... a) { stub_->async()->method(a...); }
#define ZAMAN_BLOCKING(method) [this](auto... a) { return stub_->method(a...); }

void GrpcMatchingPeer::AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  msv1::AddTaskRequest r;
  *r.mutable_task() = task;
  AsyncUnary<msv1::AddTaskRequest, msv1::Ack, bool>(
      ZAMAN_ASYNC(AddTask), std::move(r), absl::Now() + kDefaultCallTimeout, [](msv1::Ack& a) { return a.value(); },
      std::move(done));
}

void GrpcMatchingPeer::OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  msv1::AddTaskRequest r;
  *r.mutable_task() = task;
  AsyncUnary<msv1::AddTaskRequest, msv1::Ack, bool>(
      ZAMAN_ASYNC(OfferTask), std::move(r), absl::Now() + kDefaultCallTimeout, [](msv1::Ack& a) { return a.value(); },
      std::move(done));
}

void GrpcMatchingPeer::PollOrFail(const TaskQueueKey& queue, bool sticky, const std::string& identity,
                                  absl::Time deadline,
                                  std::function<void(absl::StatusOr<std::optional<PolledTask>>)> done) {
  msv1::PollRequest r;
  *r.mutable_queue() = ToWire(queue);
  r.set_sticky(sticky);
  r.set_identity(identity);
  *r.mutable_deadline() = ToProto(deadline);
  AsyncUnary<msv1::PollRequest, msv1::PollResponse, std::optional<PolledTask>>(
      ZAMAN_ASYNC(Poll), std::move(r), deadline + kLongPollSlack,
      [](msv1::PollResponse& response) -> std::optional<PolledTask> {
        if (!response.has_task()) return std::nullopt;
        PolledTask polled{std::move(*response.mutable_task()), std::nullopt};
        if (response.has_query()) polled.query = std::move(*response.mutable_query());
        return polled;
      },
      std::move(done));
}

void GrpcMatchingPeer::Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
                            std::function<bool()>, std::function<void(std::optional<PolledTask>)> on_done) {
  PollOrFail(queue, sticky, identity, deadline,
             [on_done = std::move(on_done)](absl::StatusOr<std::optional<PolledTask>> polled) {
               on_done(polled.ok() ? *std::move(polled) : std::nullopt);
             });
}

absl::StatusOr<std::vector<TransferTask>> GrpcMatchingPeer::DropStickyQueue(const std::string& namespace_id,
                                                                            const std::string& sticky_queue) {
  msv1::DropStickyQueueRequest r;
  r.set_namespace_id(namespace_id);
  r.set_sticky_queue(sticky_queue);
  absl::StatusOr<msv1::DropStickyQueueResponse> response =
      BlockingUnary<msv1::DropStickyQueueRequest, msv1::DropStickyQueueResponse>(ZAMAN_BLOCKING(DropStickyQueue), r);
  if (!response.ok()) return response.status();
  return std::vector<TransferTask>(response->tasks().begin(), response->tasks().end());
}

absl::StatusOr<TaskQueueDescription> GrpcMatchingPeer::Describe(const TaskQueueKey& queue, bool sticky) {
  msv1::DescribeRequest r;
  *r.mutable_queue() = ToWire(queue);
  r.set_sticky(sticky);
  absl::StatusOr<msv1::DescribeResponse> response =
      BlockingUnary<msv1::DescribeRequest, msv1::DescribeResponse>(ZAMAN_BLOCKING(Describe), r);
  if (!response.ok()) return response.status();
  return FromWire(*response);
}

void GrpcMatchingPeer::QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                                     absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) {
  msv1::QueryWorkflowRequest r;
  *r.mutable_task() = query_task;
  *r.mutable_query() = std::move(query);
  *r.mutable_deadline() = ToProto(deadline);
  AsyncUnary<msv1::QueryWorkflowRequest, QueryAnswer, QueryAnswer>(
      ZAMAN_ASYNC(QueryWorkflow), std::move(r), deadline + kLongPollSlack, [](QueryAnswer& a) { return std::move(a); },
      std::move(done));
}

void GrpcMatchingPeer::RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id, QueryAnswer answer,
                                        std::function<void(absl::Status)> done) {
  msv1::RespondQueryTaskRequest r;
  *r.mutable_queue() = ToWire(queue);
  r.set_query_id(query_id);
  *r.mutable_answer() = std::move(answer);
  AsyncUnary<msv1::RespondQueryTaskRequest, msv1::Ack, bool>(
      ZAMAN_ASYNC(RespondQueryTask), std::move(r), absl::Now() + kDefaultCallTimeout, [](msv1::Ack&) { return true; },
      [done = std::move(done)](absl::StatusOr<bool> answered) { done(answered.status()); });
}

#undef ZAMAN_ASYNC
#undef ZAMAN_BLOCKING

}  // namespace zaman::matching::rpc
