#pragma once

#include <vector>

#include "absl/strings/string_view.h"
#include <optional>
#include <string_view>

#include <google/protobuf/any.pb.h>

#include "absl/status/status.h"
#include "temporal/api/failure/v1/message.pb.h"

// The closed set of error kinds Zaman modules hand each other. Each is an
// absl::Status with a canonical code; kinds that the SDKs decode carry the
// Temporal error-detail message (temporal.api.errordetails.v1.*) as a payload.
// Exactly one place, frontend/grpc_status.h, turns them into gRPC statuses.
namespace zaman::errors {

absl::Status InvalidArgument(absl::string_view message);
absl::Status NamespaceNotFound(absl::string_view namespace_name);
absl::Status NamespaceAlreadyExists(absl::string_view namespace_name);
// A store's optimistic condition (version, range id) did not hold.
absl::Status ConditionFailed(absl::string_view message);
// This host no longer owns the shard (another took it: range id moved).
absl::Status ShardOwnershipLost(absl::string_view message);
// A workflow task for a sticky queue that no worker polls: it belongs on
// the run's normal queue.
absl::Status StickyWorkerUnavailable(absl::string_view message);
// This host no longer owns the task-queue partition (another took it: its
// range id moved).
absl::Status TaskQueueOwnershipLost(absl::string_view message);
// The caller may retry: the store is busy or unreachable.
absl::Status Unavailable(absl::string_view message);
absl::Status Internal(absl::string_view message);

// `status` (AlreadyExists) carrying WorkflowExecutionAlreadyStartedFailure,
// which the SDKs read to return a handle to the existing run.
absl::Status WithWorkflowAlreadyStarted(absl::Status status, absl::string_view start_request_id,
                                        absl::string_view run_id, absl::string_view first_execution_run_id);

// ResourceExhausted + ResourceExhaustedFailure (cause CONCURRENT_LIMIT, scope
// NAMESPACE): the namespace runs as many of something as it may.
absl::Status NamespaceConcurrentLimit(absl::string_view message);

// FailedPrecondition + WorkflowNotReadyFailure (queries before the first
// workflow task completed).
absl::Status WorkflowNotReady(absl::string_view message);
// InvalidArgument + QueryFailedFailure: the worker's query handler failed.
absl::Status QueryFailed(absl::string_view message, const temporal::api::failure::v1::Failure& failure);

// ExecuteMultiOperation failed: one status per operation (OK for none), the
// others aborted, as MultiOperationExecutionFailure. Its code is the first
// failed operation's.
absl::Status MultiOperationFailed(const std::vector<absl::Status>& statuses);

// The Temporal error detail carried by `status`, if it has one.
std::optional<google::protobuf::Any> Detail(const absl::Status& status);

bool IsConditionFailed(const absl::Status& status);
bool IsShardOwnershipLost(const absl::Status& status);
bool IsStickyWorkerUnavailable(const absl::Status& status);
bool IsTaskQueueOwnershipLost(const absl::Status& status);

}  // namespace zaman::errors
