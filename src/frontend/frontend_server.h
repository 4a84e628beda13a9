#pragma once

#include <memory>
#include <string>

#include <grpcpp/server.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontend/workflow_service.h"

namespace zaman::frontend {

// TLS for the public port. With a client CA, clients must present a
// certificate that CA signed (mTLS).
struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // empty: no client certificates asked for
  bool enabled() const { return !cert_file.empty(); }
};

struct FrontendOptions {
  std::string ip = "127.0.0.1";
  int port = 7233;  // 0 picks a free port
  TlsConfig tls;
  // Temporal's HTTP/JSON API (src/http) on this port, with the same TLS;
  // -1: none, 0: a free port.
  int http_port = -1;
};

// The public gRPC endpoint: WorkflowService, OperatorService and
// grpc.health.v1.Health. Owns the grpc::Server and the services; the
// backends it is given must outlive it.
class FrontendServer {
 public:
  static absl::StatusOr<std::unique_ptr<FrontendServer>> Start(const FrontendOptions& options,
                                                               WorkflowService::Backends backends,
                                                               ServerIdentity identity);
  ~FrontendServer();

  // The port actually bound.
  int port() const { return port_; }

  // A channel to these services inside the process: calls on it pass the
  // same interceptors as calls from the network (the HTTP API uses it).
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Stops accepting calls, lets the ones in flight finish for up to `grace`,
  // then cancels the rest. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  FrontendServer(std::unique_ptr<WorkflowService> workflow, std::unique_ptr<OperatorService> op)
      : workflow_(std::move(workflow)), operator_(std::move(op)) {}

  std::unique_ptr<WorkflowService> workflow_;
  std::unique_ptr<OperatorService> operator_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace zaman::frontend
