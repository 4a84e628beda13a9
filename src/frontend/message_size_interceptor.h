#pragma once

#include <cstddef>

#include <grpcpp/support/server_interceptor.h>

namespace zaman::frontend {

// Temporal's frontend takes requests of up to 4 MiB (grpc-go's default). The
// SDKs spot a request over it by grpc-go's own wording and then fail the
// workflow task with GRPC_MESSAGE_TOO_LARGE instead of retrying, so a
// larger request is refused here with that wording. grpc-core's own limit
// words it differently, so it stays higher and this interceptor does the
// refusing: the request reaches its handler emptied (which fails it
// without effects) and the status is replaced.
class MessageSizeInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MessageSizeInterceptorFactory(size_t max_request_bytes) : max_request_bytes_(max_request_bytes) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  const size_t max_request_bytes_;
};

}  // namespace zaman::frontend
