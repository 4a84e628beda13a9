#include "absl/strings/string_view.h"
#include "frontend/frontend_server.h"

#include <fstream>
#include <sstream>

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "frontend/message_size_interceptor.h"
#include "frontend/metrics_interceptor.h"
#include "frontend/unimplemented_interceptor.h"

namespace zaman::frontend {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " file ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(const TlsConfig& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  if (tls.key_file.empty()) return absl::InvalidArgumentError("TLS needs a key file with the certificate");
  absl::StatusOr<std::string> cert = ReadFile(tls.cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(tls.key_file, "TLS key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!tls.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(tls.client_ca_file, "TLS client CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// grpc-go's default receive limit, which Temporal's frontend keeps.
constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;

constexpr const char* kServiceNames[] = {
    "",  // the server as a whole
    "temporal.api.workflowservice.v1.WorkflowService",
    "temporal.api.operatorservice.v1.OperatorService",
};

}  // namespace

absl::StatusOr<std::unique_ptr<FrontendServer>> FrontendServer::Start(const FrontendOptions& options,
                                                                      WorkflowService::Backends backends,
                                                                      ServerIdentity identity) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = MakeCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();

  std::unique_ptr<FrontendServer> frontend(new FrontendServer(
      std::make_unique<WorkflowService>(backends, std::move(identity)),
      std::make_unique<OperatorService>(backends.namespace_store, backends.registry, backends.blocking_pool)));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  std::string address = absl::StrCat(options.ip.find(':') != std::string::npos
                                         ? absl::StrCat("[", options.ip, "]")
                                         : options.ip,
                                     ":", options.port);
  builder.AddListeningPort(address, *credentials, &frontend->port_);
  builder.RegisterService(frontend->workflow_.get());
  builder.RegisterService(frontend->operator_.get());
  // SDK workers ping every 30 s, also while idle; grpc-core's default policy
  // would answer them with GOAWAY too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Without this a second server on the same port would bind too and take
  // half the connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Go and Core clients accept responses up to 128 MiB. Requests are held to
  // Temporal's 4 MiB by the interceptor below, in the words SDKs look for.
  builder.SetMaxReceiveMessageSize(128 * 1024 * 1024);
  builder.SetMaxSendMessageSize(128 * 1024 * 1024);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>());
  interceptors.push_back(std::make_unique<MessageSizeInterceptorFactory>(kMaxRequestBytes));
  interceptors.push_back(std::make_unique<UnimplementedInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  frontend->server_ = builder.BuildAndStart();
  if (frontend->server_ == nullptr || frontend->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  grpc::HealthCheckServiceInterface* health = frontend->server_->GetHealthCheckService();
  for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  return frontend;
}

FrontendServer::~FrontendServer() { Shutdown(absl::ZeroDuration()); }

std::shared_ptr<grpc::Channel> FrontendServer::InProcessChannel() {
  grpc::ChannelArguments args;
  // The HTTP API's own 4 MB request limit applies before; replies may be
  // as large as over the network.
  args.SetMaxReceiveMessageSize(-1);
  return server_->InProcessChannel(args);
}

void FrontendServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) health->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace zaman::frontend
