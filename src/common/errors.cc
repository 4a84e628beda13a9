#include "absl/strings/string_view.h"
#include "common/errors.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "temporal/api/errordetails/v1/message.pb.h"

namespace zaman::errors {
namespace {

// Payload keys. They are internal to this file: only Detail() reads them.
constexpr char kDetailKey[] = "zaman/temporal-error-detail";
constexpr char kConditionFailedKey[] = "zaman/condition-failed";
constexpr char kShardOwnershipLostKey[] = "zaman/shard-ownership-lost";
constexpr char kStickyWorkerUnavailableKey[] = "zaman/sticky-worker-unavailable";
constexpr char kTaskQueueOwnershipLostKey[] = "zaman/task-queue-ownership-lost";

absl::Status WithDetail(absl::Status status, const google::protobuf::Message& detail) {
  google::protobuf::Any any;
  any.PackFrom(detail);
  status.SetPayload(kDetailKey, absl::Cord(any.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status InvalidArgument(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

absl::Status NamespaceNotFound(absl::string_view namespace_name) {
  temporal::api::errordetails::v1::NamespaceNotFoundFailure detail;
  detail.set_namespace_(std::string(namespace_name));
  return WithDetail(
      absl::NotFoundError(absl::StrFormat("Namespace %s is not found.", namespace_name)),
      detail);
}

absl::Status NamespaceAlreadyExists(absl::string_view namespace_name) {
  return WithDetail(absl::AlreadyExistsError(
                        absl::StrFormat("Namespace \"%s\" already exists", namespace_name)),
                    temporal::api::errordetails::v1::NamespaceAlreadyExistsFailure());
}

absl::Status WithWorkflowAlreadyStarted(absl::Status status, absl::string_view start_request_id,
                                        absl::string_view run_id, absl::string_view first_execution_run_id) {
  temporal::api::errordetails::v1::WorkflowExecutionAlreadyStartedFailure detail;
  detail.set_start_request_id(std::string(start_request_id));
  detail.set_run_id(std::string(run_id));
  detail.set_first_execution_run_id(std::string(first_execution_run_id));
  return WithDetail(std::move(status), detail);
}

absl::Status NamespaceConcurrentLimit(absl::string_view message) {
  temporal::api::errordetails::v1::ResourceExhaustedFailure detail;
  detail.set_cause(temporal::api::enums::v1::RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT);
  detail.set_scope(temporal::api::enums::v1::RESOURCE_EXHAUSTED_SCOPE_NAMESPACE);
  return WithDetail(absl::ResourceExhaustedError(message), detail);
}

absl::Status WorkflowNotReady(absl::string_view message) {
  return WithDetail(absl::FailedPreconditionError(message),
                    temporal::api::errordetails::v1::WorkflowNotReadyFailure());
}

absl::Status QueryFailed(absl::string_view message, const temporal::api::failure::v1::Failure& failure) {
  temporal::api::errordetails::v1::QueryFailedFailure detail;
  *detail.mutable_failure() = failure;
  return WithDetail(absl::InvalidArgumentError(message), detail);
}

absl::Status ConditionFailed(absl::string_view message) {
  absl::Status status = absl::AbortedError(message);
  status.SetPayload(kConditionFailedKey, absl::Cord());
  return status;
}

absl::Status ShardOwnershipLost(absl::string_view message) {
  absl::Status status = absl::UnavailableError(message);
  status.SetPayload(kShardOwnershipLostKey, absl::Cord());
  return status;
}

absl::Status StickyWorkerUnavailable(absl::string_view message) {
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(kStickyWorkerUnavailableKey, absl::Cord());
  return status;
}

absl::Status TaskQueueOwnershipLost(absl::string_view message) {
  absl::Status status = absl::UnavailableError(message);
  status.SetPayload(kTaskQueueOwnershipLostKey, absl::Cord());
  return status;
}

absl::Status Unavailable(absl::string_view message) { return absl::UnavailableError(message); }

absl::Status Internal(absl::string_view message) { return absl::InternalError(message); }

absl::Status MultiOperationFailed(const std::vector<absl::Status>& statuses) {
  temporal::api::errordetails::v1::MultiOperationExecutionFailure detail;
  absl::Status first = absl::AbortedError("Update-with-Start could not be executed.");
  bool found = false;
  for (const absl::Status& s : statuses) {
    auto* op = detail.add_statuses();
    if (s.ok()) {
      op->set_code(static_cast<int32_t>(absl::StatusCode::kAborted));
      op->set_message("Operation was aborted.");
      op->add_details()->PackFrom(temporal::api::failure::v1::MultiOperationExecutionAborted());
      continue;
    }
    op->set_code(static_cast<int32_t>(s.code()));
    op->set_message(std::string(s.message()));
    if (std::optional<google::protobuf::Any> inner = Detail(s)) *op->add_details() = *inner;
    if (!found) {
      first = absl::Status(s.code(), absl::StrCat("Update-with-Start could not be executed: ", s.message()));
      found = true;
    }
  }
  return WithDetail(first, detail);
}

std::optional<google::protobuf::Any> Detail(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kDetailKey);
  if (!payload) return std::nullopt;
  google::protobuf::Any any;
  if (!any.ParseFromString(std::string(*payload))) return std::nullopt;
  return any;
}

bool IsConditionFailed(const absl::Status& status) {
  return status.GetPayload(kConditionFailedKey).has_value();
}

bool IsShardOwnershipLost(const absl::Status& status) {
  return status.GetPayload(kShardOwnershipLostKey).has_value();
}

bool IsStickyWorkerUnavailable(const absl::Status& status) {
  return status.GetPayload(kStickyWorkerUnavailableKey).has_value();
}

bool IsTaskQueueOwnershipLost(const absl::Status& status) {
  return status.GetPayload(kTaskQueueOwnershipLostKey).has_value();
}

}  // namespace zaman::errors
