#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zaman::rpc {

// A role's internal gRPC listener (history 7234, matching 7235, worker
// 7239): the role's service and the standard health service. Plaintext:
// these ports belong on the cluster's private network (docs/cluster.md).
class InternalServer {
 public:
  // `port` 0 picks a free one.
  static absl::StatusOr<std::unique_ptr<InternalServer>> Start(const std::string& ip, int port,
                                                               const std::vector<grpc::Service*>& services);
  ~InternalServer();

  int port() const { return port_; }
  // Calls in flight get up to `grace` to finish.
  void Shutdown(absl::Duration grace);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace zaman::rpc
