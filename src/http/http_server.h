#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "http/gateway.h"

namespace httplib {
class Server;
}

namespace zaman::http {

struct ListenOptions {
  std::string ip = "127.0.0.1";
  int port = 0;  // 0 picks a free port
  // TLS as on the gRPC port: a certificate and key turn it on; with a client
  // CA, clients must present a certificate it signed.
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
};

// Temporal's request size limit for its HTTP API.
constexpr size_t kMaxRequestBytes = 4 * 1024 * 1024;

// One listening HTTP(S) port whose every request `handler` answers, on a
// pool of the server's threads (so `handler` must be thread-safe). Bodies
// over kMaxRequestBytes are refused with 413. Owns its accept thread.
class HttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpCall&)>;

  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const ListenOptions& options, Handler handler);
  ~HttpServer();

  int port() const { return port_; }

  // Stops accepting and waits for the requests in flight. Idempotent.
  void Stop();

 private:
  HttpServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace zaman::http
