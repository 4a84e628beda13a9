#include "absl/strings/string_view.h"
#include "frontend/namespace_handler.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::frontend {
namespace {

using ::google::protobuf::util::TimeUtil;
namespace enums = ::temporal::api::enums::v1;

constexpr size_t kMaxIdLength = 1000;  // Temporal's limit.maxIDLength
constexpr absl::Duration kMinRetention = absl::Hours(1);
constexpr int kDefaultListPageSize = 100;
constexpr int kMaxListPageSize = 1000;
constexpr int kUpdateAttempts = 3;

// The range and sign rules of google.protobuf.Duration.
bool IsValidDuration(const google::protobuf::Duration& d) {
  constexpr int64_t kMaxSeconds = 315576000000;
  if (d.seconds() < -kMaxSeconds || d.seconds() > kMaxSeconds) return false;
  if (d.nanos() <= -1000000000 || d.nanos() >= 1000000000) return false;
  return !((d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0));
}

absl::Status ValidateRetention(const google::protobuf::Duration& retention) {
  if (!IsValidDuration(retention) ||
      absl::Seconds(retention.seconds()) + absl::Nanoseconds(retention.nanos()) < kMinRetention) {
    return errors::InvalidArgument("A valid retention period is not set on request.");
  }
  return absl::OkStatus();
}

absl::Status RejectArchival(enums::ArchivalState history, enums::ArchivalState visibility) {
  if (history == enums::ARCHIVAL_STATE_ENABLED || visibility == enums::ARCHIVAL_STATE_ENABLED) {
    return errors::InvalidArgument("Archival is not supported by this server.");
  }
  return absl::OkStatus();
}

absl::Status ValidateState(enums::NamespaceState state) {
  switch (state) {
    case enums::NAMESPACE_STATE_UNSPECIFIED:
    case enums::NAMESPACE_STATE_REGISTERED:
    case enums::NAMESPACE_STATE_DEPRECATED:
      return absl::OkStatus();
    default:
      return errors::InvalidArgument(
          absl::StrCat("Namespace state ", enums::NamespaceState_Name(state),
                       " cannot be set through UpdateNamespace."));
  }
}

}  // namespace

absl::Status ValidateNamespaceName(absl::string_view name) {
  if (name.empty()) return errors::InvalidArgument("Namespace is not set on request.");
  if (name.size() > kMaxIdLength) return errors::InvalidArgument("Namespace length exceeds limit.");
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name[0]))) {
    return errors::InvalidArgument(
        absl::StrCat("Namespace name \"", name, "\" must start with a letter or a digit."));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return errors::InvalidArgument(absl::StrCat(
          "Namespace name \"", name, "\" may contain only letters, digits, '-', '_' and '.'."));
    }
  }
  return absl::OkStatus();
}

NamespaceHandler::NamespaceHandler(persistence::NamespaceStore& store, Clock& clock, Random& random,
                                   std::string cluster_name, NamespaceLimits limits)
    : store_(store),
      clock_(clock),
      random_(random),
      cluster_name_(std::move(cluster_name)),
      limits_(limits) {}

absl::StatusOr<wsv1::RegisterNamespaceResponse> NamespaceHandler::Register(
    const wsv1::RegisterNamespaceRequest& request) {
  if (absl::Status s = ValidateNamespaceName(request.namespace_()); !s.ok()) return s;
  if (request.is_global_namespace()) {
    return errors::InvalidArgument("Cannot register global namespace when not enabled");
  }
  if (absl::Status s = ValidateRetention(request.workflow_execution_retention_period()); !s.ok()) return s;
  if (absl::Status s = RejectArchival(request.history_archival_state(), request.visibility_archival_state());
      !s.ok()) {
    return s;
  }
  if (!request.active_cluster_name().empty() && request.active_cluster_name() != cluster_name_) {
    return errors::InvalidArgument(absl::StrCat("Invalid cluster name: ", request.active_cluster_name()));
  }
  for (const auto& cluster : request.clusters()) {
    if (cluster.cluster_name() != cluster_name_) {
      return errors::InvalidArgument(absl::StrCat("Invalid cluster name: ", cluster.cluster_name()));
    }
  }

  persistence::NamespaceRecord record;
  auto* info = record.mutable_info();
  info->set_id(random_.NewUuid());
  info->set_name(request.namespace_());
  info->set_state(enums::NAMESPACE_STATE_REGISTERED);
  info->set_description(request.description());
  info->set_owner_email(request.owner_email());
  info->mutable_data()->insert(request.data().begin(), request.data().end());
  auto* config = record.mutable_config();
  *config->mutable_workflow_execution_retention_ttl() = request.workflow_execution_retention_period();
  config->set_history_archival_state(enums::ARCHIVAL_STATE_DISABLED);
  config->set_visibility_archival_state(enums::ARCHIVAL_STATE_DISABLED);
  config->mutable_bad_binaries();
  auto* replication = record.mutable_replication_config();
  replication->set_active_cluster_name(cluster_name_);
  replication->add_clusters()->set_cluster_name(cluster_name_);
  replication->set_state(enums::REPLICATION_STATE_NORMAL);

  absl::Status created = store_.CreateNamespace(record);
  if (created.code() == absl::StatusCode::kAlreadyExists) {
    return errors::NamespaceAlreadyExists(request.namespace_());
  }
  if (!created.ok()) return created;
  return wsv1::RegisterNamespaceResponse();
}

absl::StatusOr<wsv1::DescribeNamespaceResponse> NamespaceHandler::Describe(
    const wsv1::DescribeNamespaceRequest& request) {
  if (request.namespace_().empty() && request.id().empty()) {
    return errors::InvalidArgument("Namespace is not set on request.");
  }
  absl::StatusOr<persistence::StoredNamespace> stored =
      request.id().empty() ? store_.GetNamespaceByName(request.namespace_())
                           : store_.GetNamespaceById(request.id());
  if (stored.status().code() == absl::StatusCode::kNotFound) {
    return errors::NamespaceNotFound(request.id().empty() ? request.namespace_() : request.id());
  }
  if (!stored.ok()) return stored.status();
  return ToDescribeResponse(stored->record);
}

absl::StatusOr<wsv1::UpdateNamespaceResponse> NamespaceHandler::Update(
    const wsv1::UpdateNamespaceRequest& request) {
  if (request.namespace_().empty()) return errors::InvalidArgument("Namespace is not set on request.");
  if (request.promote_namespace()) {
    return errors::InvalidArgument("Cannot promote namespace: global namespaces are not enabled.");
  }
  const auto& config_update = request.config();
  if (absl::Status s = RejectArchival(config_update.history_archival_state(),
                                      config_update.visibility_archival_state());
      !s.ok()) {
    return s;
  }
  if (config_update.has_workflow_execution_retention_ttl()) {
    if (absl::Status s = ValidateRetention(config_update.workflow_execution_retention_ttl()); !s.ok()) return s;
  }
  if (!config_update.custom_search_attribute_aliases().empty()) {
    return errors::InvalidArgument(
        "Custom search attribute aliases are set through OperatorService.AddSearchAttributes.");
  }
  if (absl::Status s = ValidateState(request.update_info().state()); !s.ok()) return s;
  const std::string& active = request.replication_config().active_cluster_name();
  if (!active.empty() && active != cluster_name_) {
    return errors::InvalidArgument(absl::StrCat("Invalid cluster name: ", active));
  }

  // Read-modify-write under the record's version; a concurrent update makes
  // us read again.
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    absl::StatusOr<persistence::StoredNamespace> stored = store_.GetNamespaceByName(request.namespace_());
    if (stored.status().code() == absl::StatusCode::kNotFound) {
      return errors::NamespaceNotFound(request.namespace_());
    }
    if (!stored.ok()) return stored.status();
    persistence::NamespaceRecord record = stored->record;

    const auto& info_update = request.update_info();
    auto* info = record.mutable_info();
    if (!info_update.description().empty()) info->set_description(info_update.description());
    if (!info_update.owner_email().empty()) info->set_owner_email(info_update.owner_email());
    for (const auto& [key, value] : info_update.data()) (*info->mutable_data())[key] = value;
    if (info_update.state() != enums::NAMESPACE_STATE_UNSPECIFIED) info->set_state(info_update.state());

    auto* config = record.mutable_config();
    if (config_update.has_workflow_execution_retention_ttl()) {
      *config->mutable_workflow_execution_retention_ttl() = config_update.workflow_execution_retention_ttl();
    }
    for (const auto& [checksum, bad] : config_update.bad_binaries().binaries()) {
      auto& entry = (*config->mutable_bad_binaries()->mutable_binaries())[checksum];
      entry = bad;
      if (!entry.has_create_time()) {
        *entry.mutable_create_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now()));
      }
    }
    if (!request.delete_bad_binary().empty()) {
      auto* binaries = config->mutable_bad_binaries()->mutable_binaries();
      if (binaries->erase(request.delete_bad_binary()) == 0) {
        return errors::InvalidArgument(
            absl::StrCat("Bad binary checksum ", request.delete_bad_binary(), " doesn't exists."));
      }
    }

    absl::Status written = store_.UpdateNamespace(record, stored->version);
    if (errors::IsConditionFailed(written)) continue;
    if (written.code() == absl::StatusCode::kNotFound) return errors::NamespaceNotFound(request.namespace_());
    if (!written.ok()) return written;

    wsv1::DescribeNamespaceResponse described = ToDescribeResponse(record);
    wsv1::UpdateNamespaceResponse response;
    *response.mutable_namespace_info() = std::move(*described.mutable_namespace_info());
    *response.mutable_config() = std::move(*described.mutable_config());
    *response.mutable_replication_config() = std::move(*described.mutable_replication_config());
    response.set_failover_version(described.failover_version());
    response.set_is_global_namespace(described.is_global_namespace());
    return response;
  }
  return errors::Unavailable("Namespace is being updated concurrently; try again.");
}

absl::StatusOr<wsv1::ListNamespacesResponse> NamespaceHandler::List(
    const wsv1::ListNamespacesRequest& request) {
  int page_size = request.page_size() <= 0 ? kDefaultListPageSize
                                           : std::min(request.page_size(), kMaxListPageSize);
  absl::StatusOr<persistence::NamespacePage> page =
      store_.ListNamespaces(page_size, request.next_page_token());
  if (!page.ok()) return page.status();
  wsv1::ListNamespacesResponse response;
  for (const auto& stored : page->namespaces) {
    if (stored.record.info().state() == enums::NAMESPACE_STATE_DELETED &&
        !request.namespace_filter().include_deleted()) {
      continue;
    }
    *response.add_namespaces() = ToDescribeResponse(stored.record);
  }
  response.set_next_page_token(page->next_page_token);
  return response;
}

absl::Status NamespaceHandler::Ensure(const std::string& name, absl::Duration retention) {
  wsv1::RegisterNamespaceRequest request;
  request.set_namespace_(name);
  *request.mutable_workflow_execution_retention_period() =
      TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(retention));
  absl::StatusOr<wsv1::RegisterNamespaceResponse> registered = Register(request);
  if (registered.status().code() == absl::StatusCode::kAlreadyExists) return absl::OkStatus();
  return registered.status();
}

wsv1::DescribeNamespaceResponse NamespaceHandler::ToDescribeResponse(
    const persistence::NamespaceRecord& record) const {
  wsv1::DescribeNamespaceResponse response;
  *response.mutable_namespace_info() = record.info();
  // Capabilities and limits describe this server, not the stored record: they
  // are filled in on the way out. No optional feature is implemented yet.
  response.mutable_namespace_info()->mutable_capabilities();
  auto* limits = response.mutable_namespace_info()->mutable_limits();
  limits->set_blob_size_limit_error(limits_.blob_size_limit_error);
  limits->set_memo_size_limit_error(limits_.memo_size_limit_error);
  *response.mutable_config() = record.config();
  *response.mutable_replication_config() = record.replication_config();
  response.set_failover_version(record.failover_version());
  response.set_is_global_namespace(record.is_global_namespace());
  return response;
}

}  // namespace zaman::frontend
