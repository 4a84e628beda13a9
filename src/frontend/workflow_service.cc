#include "frontend/workflow_service.h"

#include "frontend/grpc_status.h"

namespace zaman::frontend {

WorkflowService::WorkflowService(Backends backends, ServerIdentity identity)
    : backends_(backends),
      namespaces_(backends.namespaces),
      blocking_pool_(backends.blocking_pool),
      identity_(std::move(identity)) {}

template <typename Response, typename Handler>
grpc::ServerUnaryReactor* WorkflowService::OffloadUnary(grpc::CallbackServerContext* context,
                                                        Response* response, Handler handler) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([reactor, response, handler = std::move(handler)]() mutable {
    absl::StatusOr<Response> result = handler();
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

grpc::ServerUnaryReactor* WorkflowService::GetSystemInfo(grpc::CallbackServerContext* context,
                                                         const wsv1::GetSystemInfoRequest*,
                                                         wsv1::GetSystemInfoResponse* response) {
  response->set_server_version(identity_.server_version);
  // Only what is implemented is advertised; clients treat a missing flag as
  // an old server and fall back.
  auto* capabilities = response->mutable_capabilities();
  // INTERNAL is reserved for faults a retry will not fix (transient ones are
  // UNAVAILABLE).
  capabilities->set_internal_error_differentiation(true);
  // WorkflowTaskCompleted events carry the request's sdk_metadata, which
  // SDKs read back on replay.
  capabilities->set_sdk_metadata(true);
  // Failures, headers on signals, and heartbeat details on activity
  // failures are stored and returned unchanged.
  capabilities->set_encoded_failure_attributes(true);
  capabilities->set_activity_failure_include_heartbeat(true);
  // ModifyWorkflowProperties (memo upsert) commands are handled.
  capabilities->set_upsert_memo(true);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkflowService::GetClusterInfo(grpc::CallbackServerContext* context,
                                                          const wsv1::GetClusterInfoRequest*,
                                                          wsv1::GetClusterInfoResponse* response) {
  auto& clients = *response->mutable_supported_clients();
  for (const char* name : {"temporal-go", "temporal-java", "temporal-php", "temporal-typescript",
                           "temporal-python", "temporal-cli", "temporal-server"}) {
    clients[name] = "<2.0.0";
  }
  clients["temporal-ui"] = "<3.0.0";
  response->set_server_version(identity_.server_version);
  response->set_cluster_id(identity_.cluster.cluster_id);
  response->set_cluster_name(identity_.cluster.cluster_name);
  response->set_history_shard_count(identity_.cluster.num_shards);
  response->set_persistence_store(identity_.persistence_store);
  response->set_visibility_store(identity_.persistence_store);
  response->set_initial_failover_version(1);
  response->set_failover_version_increment(10);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* WorkflowService::RegisterNamespace(
    grpc::CallbackServerContext* context, const wsv1::RegisterNamespaceRequest* request,
    wsv1::RegisterNamespaceResponse* response) {
  return OffloadUnary(context, response, [this, request] { return namespaces_.Register(*request); });
}

grpc::ServerUnaryReactor* WorkflowService::DescribeNamespace(
    grpc::CallbackServerContext* context, const wsv1::DescribeNamespaceRequest* request,
    wsv1::DescribeNamespaceResponse* response) {
  return OffloadUnary(context, response, [this, request] { return namespaces_.Describe(*request); });
}

grpc::ServerUnaryReactor* WorkflowService::UpdateNamespace(
    grpc::CallbackServerContext* context, const wsv1::UpdateNamespaceRequest* request,
    wsv1::UpdateNamespaceResponse* response) {
  return OffloadUnary(context, response, [this, request] { return namespaces_.Update(*request); });
}

grpc::ServerUnaryReactor* WorkflowService::ListNamespaces(
    grpc::CallbackServerContext* context, const wsv1::ListNamespacesRequest* request,
    wsv1::ListNamespacesResponse* response) {
  return OffloadUnary(context, response, [this, request] { return namespaces_.List(*request); });
}

// Instantiated here for the handlers in other files (batch_handlers.cc).
template <typename Response>
using BlockingHandler = std::function<absl::StatusOr<Response>()>;
template grpc::ServerUnaryReactor* WorkflowService::OffloadUnary(
    grpc::CallbackServerContext*, wsv1::StartBatchOperationResponse*, BlockingHandler<wsv1::StartBatchOperationResponse>);
template grpc::ServerUnaryReactor* WorkflowService::OffloadUnary(
    grpc::CallbackServerContext*, wsv1::DescribeBatchOperationResponse*,
    BlockingHandler<wsv1::DescribeBatchOperationResponse>);
template grpc::ServerUnaryReactor* WorkflowService::OffloadUnary(
    grpc::CallbackServerContext*, wsv1::ListBatchOperationsResponse*, BlockingHandler<wsv1::ListBatchOperationsResponse>);
template grpc::ServerUnaryReactor* WorkflowService::OffloadUnary(
    grpc::CallbackServerContext*, wsv1::StopBatchOperationResponse*, BlockingHandler<wsv1::StopBatchOperationResponse>);

}  // namespace zaman::frontend
