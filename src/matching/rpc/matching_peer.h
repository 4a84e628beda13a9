#pragma once

#include <memory>

#include <grpcpp/channel.h>

#include "matching/matching_client.h"
#include "zaman/matchingservice/v1/service.grpc.pb.h"

namespace zaman::matching::rpc {

// The MatchingClient of one other matching host, over its internal gRPC
// service. Which host is RoutedMatchingClient's business. Thread-safe.
class GrpcMatchingPeer final : public MatchingClient {
 public:
  explicit GrpcMatchingPeer(std::shared_ptr<grpc::Channel> channel);

  void AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) override;
  void OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) override;
  void Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
            std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) override;
  absl::StatusOr<std::vector<TransferTask>> DropStickyQueue(const std::string& namespace_id,
                                                            const std::string& sticky_queue) override;
  absl::StatusOr<TaskQueueDescription> Describe(const TaskQueueKey& queue, bool sticky) override;
  void QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                     absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) override;
  void RespondQueryTask(const TaskQueueKey& queue, const std::string& query_id, QueryAnswer answer,
                        std::function<void(absl::Status)> done) override;

  // Poll, reporting a failed call (Poll itself answers it as "no task").
  void PollOrFail(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
                  std::function<void(absl::StatusOr<std::optional<PolledTask>>)> done);

 private:
  std::unique_ptr<matchingservice::v1::MatchingService::Stub> stub_;
};

matchingservice::v1::TaskQueueKey ToWire(const TaskQueueKey& queue);
matchingservice::v1::DescribeResponse ToWire(const TaskQueueDescription& description);
TaskQueueDescription FromWire(const matchingservice::v1::DescribeResponse& description);
TaskQueueKey FromWire(const matchingservice::v1::TaskQueueKey& queue);

}  // namespace zaman::matching::rpc
