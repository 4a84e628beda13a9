#pragma once

#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/container/flat_hash_map.h"
#include "metrics/metrics.h"

namespace google::protobuf {
class FieldDescriptor;
}  // namespace google::protobuf

namespace zaman::frontend {

// Counts every call of the public API as Temporal's frontend does:
// service_requests, service_errors, service_latency, service_pending_requests
// by operation and namespace (metrics/metrics.h). The series of each method
// are bound when the factory is made; a call only hashes its method's name
// and reads the request's namespace field in place.
class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MetricsInterceptorFactory();

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

  struct Method {
    metrics::OperationMetrics metrics;
    const google::protobuf::FieldDescriptor* namespace_field;  // null: the request has none
  };

 private:
  // By full method name (/package.Service/Method); never changed after construction.
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_;
};

}  // namespace zaman::frontend
