#pragma once

#include "absl/strings/string_view.h"
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/random.h"
#include "persistence/namespace_store.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"

namespace zaman::frontend {

namespace wsv1 = ::temporal::api::workflowservice::v1;

// Limits the frontend enforces and advertises in NamespaceInfo.limits.
// Temporal's defaults: the SDKs size their client-side checks from these.
struct NamespaceLimits {
  int64_t blob_size_limit_error = 2 * 1024 * 1024;
  int64_t memo_size_limit_error = 2 * 1024 * 1024;
};

// The namespace RPCs of WorkflowService: validation, defaults and the
// translation between API messages and stored records. Stateless apart from
// its collaborators; thread-safe. Calls block on the store, so callers run
// them off the gRPC callback threads.
class NamespaceHandler {
 public:
  NamespaceHandler(persistence::NamespaceStore& store, Clock& clock, Random& random,
                   std::string cluster_name, NamespaceLimits limits = {});

  absl::StatusOr<wsv1::RegisterNamespaceResponse> Register(const wsv1::RegisterNamespaceRequest& request);
  absl::StatusOr<wsv1::DescribeNamespaceResponse> Describe(const wsv1::DescribeNamespaceRequest& request);
  absl::StatusOr<wsv1::UpdateNamespaceResponse> Update(const wsv1::UpdateNamespaceRequest& request);
  absl::StatusOr<wsv1::ListNamespacesResponse> List(const wsv1::ListNamespacesRequest& request);

  // Registers `name` with `retention` unless it exists already (server
  // start-up: `default` and the --namespace names).
  absl::Status Ensure(const std::string& name, absl::Duration retention);

 private:
  wsv1::DescribeNamespaceResponse ToDescribeResponse(const persistence::NamespaceRecord& record) const;

  persistence::NamespaceStore& store_;
  Clock& clock_;
  Random& random_;
  const std::string cluster_name_;
  const NamespaceLimits limits_;
};

// Why `name` is not a valid namespace name, or OK. Valid: 1 to 1000 bytes of
// ASCII letters, digits, '-', '_' and '.', starting with a letter or digit.
absl::Status ValidateNamespaceName(absl::string_view name);

}  // namespace zaman::frontend
