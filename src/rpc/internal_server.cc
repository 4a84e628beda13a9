#include "rpc/internal_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"

namespace zaman::rpc {

absl::StatusOr<std::unique_ptr<InternalServer>> InternalServer::Start(const std::string& ip, int port,
                                                                      const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  auto server = std::make_unique<InternalServer>();
  grpc::ServerBuilder builder;
  const std::string host = ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]") : ip;
  builder.AddListeningPort(absl::StrCat(host, ":", port), grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(128 * 1024 * 1024);
  // Peers keep their channels alive with pings every 10 s.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (grpc::Service* service : services) builder.RegisterService(service);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  }
  return server;
}

InternalServer::~InternalServer() { Shutdown(absl::ZeroDuration()); }

void InternalServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  server_.reset();
}

}  // namespace zaman::rpc
