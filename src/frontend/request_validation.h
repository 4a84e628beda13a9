#pragma once

#include "absl/status/status.h"
#include "temporal/api/common/v1/message.pb.h"

namespace zaman::frontend {

// A request's workflow execution: a workflow id (set, not too long) and,
// if given, a run id that is a UUID (InvalidArgument "Invalid RunId." as
// Temporal words it).
absl::Status ValidateExecution(const temporal::api::common::v1::WorkflowExecution& execution);

}  // namespace zaman::frontend
