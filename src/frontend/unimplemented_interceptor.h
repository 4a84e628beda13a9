#pragma once

#include <grpcpp/support/server_interceptor.h>

namespace zaman::frontend {

// gRPC answers a method that has no handler with a bare UNIMPLEMENTED. This
// interceptor puts the method's name into that status's message, so a user
// sees which call Zaman does not support yet.
class UnimplementedInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace zaman::frontend
