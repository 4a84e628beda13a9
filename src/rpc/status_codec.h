#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

// How an absl::Status crosses between Zaman's own hosts unchanged: code,
// message and every payload (the error kinds of common/errors.h and the
// Temporal error details ride on payloads). Clients of the public API get
// frontend/grpc_status.h's form instead.
namespace zaman::rpc {

grpc::Status ToWire(const absl::Status& status);
absl::Status FromWire(const grpc::Status& status);

}  // namespace zaman::rpc
