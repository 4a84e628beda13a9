#pragma once

// Internal to the frontend's handler files: how a WorkflowService RPC reaches
// its namespace and the blocking pool (the templates behind WithNamespace
// and ReadInNamespace, for every handler file to instantiate).

#include <functional>
#include <string>

#include "frontend/grpc_status.h"
#include "frontend/workflow_service.h"

namespace zaman::frontend {

template <typename Response>
grpc::ServerUnaryReactor* WorkflowService::WithNamespace(
    grpc::CallbackServerContext* context, const std::string& ns, Response* response,
    std::function<void(const history::NamespaceRef&, history::Done<Response>)> start) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  history::Done<Response> done = [reactor, response](absl::StatusOr<Response> result) {
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  };
  blocking_pool_.Post([this, ns, start = std::move(start), done]() {
    absl::StatusOr<history::NamespaceRef> resolved = backends_.registry.Resolve(ns);
    if (!resolved.ok()) return done(resolved.status());
    start(*resolved, done);
  });
  return reactor;
}

template <typename Response, typename Read>
grpc::ServerUnaryReactor* WorkflowService::ReadInNamespace(grpc::CallbackServerContext* context,
                                                           const std::string& ns, Response* response, Read read) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([this, reactor, response, ns, read = std::move(read)]() mutable {
    absl::StatusOr<history::NamespaceRef> resolved = backends_.registry.Resolve(ns);
    if (!resolved.ok()) return reactor->Finish(ToGrpcStatus(resolved.status()));
    absl::StatusOr<Response> result = read(*resolved);
    if (result.ok()) *response = *std::move(result);
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace zaman::frontend
