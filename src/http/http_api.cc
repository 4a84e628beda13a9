#include "http/endpoints.h"

namespace zaman::http {

absl::StatusOr<std::unique_ptr<HttpServer>> StartHttpApi(const ListenOptions& listen, const std::string& server_version,
                                                         std::shared_ptr<grpc::Channel> frontend) {
  GatewayOptions api;
  api.client_version = server_version;
  auto gateway = std::make_shared<Gateway>(std::move(frontend), api);
  return HttpServer::Start(listen, [gateway](const HttpCall& call) { return gateway->Handle(call); });
}

}  // namespace zaman::http
