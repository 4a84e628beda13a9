#pragma once

#include <string>

#include "common/thread_pool.h"
#include "frontend/namespace_handler.h"
#include "persistence/cluster_store.h"
#include "temporal/api/operatorservice/v1/service.grpc.pb.h"
#include "temporal/api/workflowservice/v1/service.grpc.pb.h"

namespace zaman::frontend {

// What the frontend tells clients about the server and its cluster.
struct ServerIdentity {
  std::string server_version;
  persistence::ClusterMetadata cluster;
  std::string persistence_store;  // backend name, e.g. "sqlite"
};

// temporal.api.workflowservice.v1.WorkflowService over gRPC's callback API:
// no RPC holds a gRPC thread while it waits. Handlers that touch the store
// run on `blocking_pool`. Methods not overridden here answer UNIMPLEMENTED.
// Thread-safe; owned by FrontendServer.
class WorkflowService final
    : public ::temporal::api::workflowservice::v1::WorkflowService::CallbackService {
 public:
  WorkflowService(NamespaceHandler& namespaces, ThreadPool& blocking_pool, ServerIdentity identity);

  grpc::ServerUnaryReactor* GetSystemInfo(grpc::CallbackServerContext* context,
                                          const wsv1::GetSystemInfoRequest* request,
                                          wsv1::GetSystemInfoResponse* response) override;
  grpc::ServerUnaryReactor* GetClusterInfo(grpc::CallbackServerContext* context,
                                           const wsv1::GetClusterInfoRequest* request,
                                           wsv1::GetClusterInfoResponse* response) override;
  grpc::ServerUnaryReactor* RegisterNamespace(grpc::CallbackServerContext* context,
                                              const wsv1::RegisterNamespaceRequest* request,
                                              wsv1::RegisterNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* DescribeNamespace(grpc::CallbackServerContext* context,
                                              const wsv1::DescribeNamespaceRequest* request,
                                              wsv1::DescribeNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* UpdateNamespace(grpc::CallbackServerContext* context,
                                            const wsv1::UpdateNamespaceRequest* request,
                                            wsv1::UpdateNamespaceResponse* response) override;
  grpc::ServerUnaryReactor* ListNamespaces(grpc::CallbackServerContext* context,
                                           const wsv1::ListNamespacesRequest* request,
                                           wsv1::ListNamespacesResponse* response) override;

 private:
  // Runs `handler` on the blocking pool and finishes the call with its result.
  template <typename Response, typename Handler>
  grpc::ServerUnaryReactor* OffloadUnary(grpc::CallbackServerContext* context, Response* response,
                                         Handler handler);

  NamespaceHandler& namespaces_;
  ThreadPool& blocking_pool_;
  const ServerIdentity identity_;
};

// temporal.api.operatorservice.v1.OperatorService. Registered so that health
// checks and clients find it; every method answers UNIMPLEMENTED for now.
class OperatorService final
    : public ::temporal::api::operatorservice::v1::OperatorService::CallbackService {};

}  // namespace zaman::frontend
