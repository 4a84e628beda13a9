#pragma once

#include "absl/status/status.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"

namespace zaman::frontend {

// A request's workflow execution: a workflow id (set, not too long) and,
// if given, a run id that is a UUID (InvalidArgument "Invalid RunId." as
// Temporal words it).
absl::Status ValidateExecution(const temporal::api::common::v1::WorkflowExecution& execution);

// What StartWorkflowExecution checks of its request (ids, type, task queue,
// timeouts, sizes, cron, retry policy), with Temporal's messages.
absl::Status ValidateStart(const temporal::api::workflowservice::v1::StartWorkflowExecutionRequest& request);

}  // namespace zaman::frontend
