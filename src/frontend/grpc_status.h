#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace zaman::frontend {

// The one place where Zaman's internal errors (common/errors.h) become gRPC
// statuses: the same code, the same message, and the Temporal error detail,
// if any, as details[0] of the google.rpc.Status trailer the SDKs decode.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace zaman::frontend
