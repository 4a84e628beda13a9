#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <grpcpp/channel.h>

#include "http/json_codec.h"
#include "http/route_table.h"

namespace zaman::http {

// An HTTP request as the gateway needs it, independent of the server library.
struct HttpCall {
  std::string verb;    // "GET", "POST"…
  std::string target;  // the raw request target: path and query, still percent-encoded
  std::multimap<std::string, std::string> query;    // decoded query parameters
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::multimap<std::string, std::string> headers;  // beyond Content-Type
};

struct GatewayOptions {
  // Unset: each call chooses, as with Temporal's HTTP API (Accept, the
  // request's Content-Type, ?pretty, ?noPayloadShorthand). Set: always this
  // style, as the web UI's own gateway (full payloads, indented).
  std::optional<JsonStyle> fixed_style;
  // Sent as client-name / client-version unless the caller sent its own.
  std::string client_name = "temporal-server-http";
  std::string client_version;
};

// The HTTP/JSON face of the frontend: routes every call with a
// `google.api.http` binding (WorkflowService and OperatorService) to the
// same gRPC services, through `channel` (the frontend's in-process channel,
// so its interceptors, validation and metrics apply), and writes the reply
// or the error as Temporal does. Stateless and thread-safe; each call blocks
// its thread until the RPC ends.
class Gateway {
 public:
  Gateway(std::shared_ptr<grpc::Channel> channel, GatewayOptions options);

  HttpReply Handle(const HttpCall& call) const;

  const RouteTable& routes() const { return routes_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  GatewayOptions options_;
  RouteTable routes_;
};

}  // namespace zaman::http
