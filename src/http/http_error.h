#pragma once

#include <string>

#include <grpcpp/support/status.h>

namespace zaman::http {

// The HTTP status grpc-gateway (and so Temporal's HTTP API) answers a gRPC
// code with: NOT_FOUND → 404, INVALID_ARGUMENT → 400, UNAVAILABLE → 503…
int HttpStatusFromGrpc(grpc::StatusCode code);

// The error body: the google.rpc.Status the call failed with, as JSON, with
// its Temporal error details ("@type": "type.googleapis.com/temporal.api.
// errordetails.v1.NotFoundFailure", …).
std::string ErrorJson(const grpc::Status& status, bool pretty);

}  // namespace zaman::http
