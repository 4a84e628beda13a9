// DescribeTaskQueue: a task queue's pollers, backlog and rates, in the
// default (legacy) mode and in the deprecated ENHANCED mode, as Temporal's
// frontend and matching answer them.
#include <set>
#include <string>

#include "common/errors.h"
#include "common/proto_time.h"
#include "frontend/workflow_service.h"
#include "frontend/workflow_service_calls.h"
#include "matching/partition.h"
#include "persistence/task_queue_store.h"

// The API marks task_queue_status, ENHANCED mode and its fields deprecated;
// the CLI and SDKs still send and read them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace zaman::frontend {

namespace {

namespace enums = ::temporal::api::enums::v1;
namespace tqv1 = ::temporal::api::taskqueue::v1;
using wsv1::DescribeTaskQueueRequest;
using wsv1::DescribeTaskQueueResponse;

// Temporal's matching reports this dispatch rate for a poller or a queue
// without a limit of its own (defaultTaskDispatchRPS).
constexpr double kDefaultDispatchRate = 100000;

matching::TransferTask::Kind KindOf(enums::TaskQueueType type) {
  return type == enums::TASK_QUEUE_TYPE_ACTIVITY ? matching::TransferTask::ACTIVITY_TASK
                                                 : matching::TransferTask::WORKFLOW_TASK;
}

void AddPollers(const std::vector<matching::PollerInfo>& pollers,
                google::protobuf::RepeatedPtrField<tqv1::PollerInfo>* out) {
  for (const matching::PollerInfo& poller : pollers) {
    tqv1::PollerInfo* info = out->Add();
    info->set_identity(poller.identity);
    *info->mutable_last_access_time() = ToProto(poller.last_access_time);
    info->set_rate_per_second(kDefaultDispatchRate);
  }
}

void SetStats(const matching::TaskQueueStats& stats, tqv1::TaskQueueStats* out) {
  out->set_approximate_backlog_count(stats.backlog_count);
  *out->mutable_approximate_backlog_age() = ToProto(stats.backlog_age);
  out->set_tasks_add_rate(static_cast<float>(stats.add_rate));
  out->set_tasks_dispatch_rate(static_cast<float>(stats.dispatch_rate));
}

void SetStatus(const matching::PartitionStatus& status, tqv1::TaskQueueStatus* out) {
  out->set_backlog_count_hint(status.backlog_count);
  out->set_read_level(status.read_level);
  out->set_ack_level(status.ack_level);
  out->set_rate_per_second(kDefaultDispatchRate);
  if (status.range_id > 0) {
    // The ids this host's lease hands out.
    const int64_t start = status.range_id << persistence::kTaskIdRangeBits;
    out->mutable_task_id_block()->set_start_id(start);
    out->mutable_task_id_block()->set_end_id(start + (int64_t{1} << persistence::kTaskIdRangeBits) - 1);
  }
}

bool IsRootPartition(const tqv1::TaskQueue& queue) {
  return queue.kind() != enums::TASK_QUEUE_KIND_STICKY && matching::ParsePartition(queue.name()).second == 0;
}

absl::StatusOr<DescribeTaskQueueResponse> DescribeLegacy(matching::MatchingClient& matching, const std::string& ns_id,
                                                         const DescribeTaskQueueRequest& request) {
  if (request.report_stats() && !IsRootPartition(request.task_queue())) {
    return errors::InvalidArgument("DescribeTaskQueue stats are only supported for the root partition");
  }
  absl::StatusOr<matching::TaskQueueDescription> described =
      matching.Describe({ns_id, request.task_queue().name(), KindOf(request.task_queue_type())},
                        request.task_queue().kind() == enums::TASK_QUEUE_KIND_STICKY);
  if (!described.ok()) return described.status();
  DescribeTaskQueueResponse response;
  AddPollers(described->pollers, response.mutable_pollers());
  if (request.include_task_queue_status()) SetStatus(described->status, response.mutable_task_queue_status());
  if (request.report_stats()) SetStats(described->stats, response.mutable_stats());
  return response;
}

// The deprecated ENHANCED mode: per build id (only "", the unversioned
// queue, has workers here) and task-queue type.
absl::StatusOr<DescribeTaskQueueResponse> DescribeEnhanced(matching::MatchingClient& matching,
                                                           const std::string& ns_id,
                                                           const DescribeTaskQueueRequest& request) {
  if (request.task_queue().kind() == enums::TASK_QUEUE_KIND_STICKY) {
    return errors::InvalidArgument(
        "Enhanced DescribeTaskQueue is not valid for a sticky queue, use api_mode=UNSPECIFIED or a normal queue.");
  }
  if (!IsRootPartition(request.task_queue())) {
    return errors::InvalidArgument(
        "Enhanced DescribeTaskQueue is not valid for non-root queue partitions, use api_mode=UNSPECIFIED or a normal "
        "queue root name.");
  }
  std::set<std::string> build_ids;
  if (!request.has_versions()) {
    build_ids.insert("");  // no assignment rules: the default is the unversioned queue
  } else {
    build_ids.insert(request.versions().build_ids().begin(), request.versions().build_ids().end());
    if (request.versions().unversioned() || request.versions().all_active()) build_ids.insert("");
  }
  std::vector<enums::TaskQueueType> types;
  for (int type : request.task_queue_types()) types.push_back(static_cast<enums::TaskQueueType>(type));
  if (types.empty()) types = {enums::TASK_QUEUE_TYPE_WORKFLOW, enums::TASK_QUEUE_TYPE_ACTIVITY};

  DescribeTaskQueueResponse response;
  for (const std::string& build_id : build_ids) {
    tqv1::TaskQueueVersionInfo& version = (*response.mutable_versions_info())[build_id];
    for (enums::TaskQueueType type : types) {
      tqv1::TaskQueueTypeInfo& info = (*version.mutable_types_info())[static_cast<int32_t>(type)];
      if (request.report_stats()) info.mutable_stats();
      // Versioned workers and Nexus queues are not kept here: theirs stay empty.
      const bool kept = build_id.empty() && (type == enums::TASK_QUEUE_TYPE_WORKFLOW ||
                                             type == enums::TASK_QUEUE_TYPE_ACTIVITY);
      if (!kept) continue;
      absl::StatusOr<matching::TaskQueueDescription> described =
          matching.Describe({ns_id, request.task_queue().name(), KindOf(type)}, /*sticky=*/false);
      if (!described.ok()) return described.status();
      if (request.report_pollers()) AddPollers(described->pollers, info.mutable_pollers());
      if (request.report_stats()) SetStats(described->stats, info.mutable_stats());
    }
  }
  return response;
}

}  // namespace

grpc::ServerUnaryReactor* WorkflowService::DescribeTaskQueue(grpc::CallbackServerContext* context,
                                                             const DescribeTaskQueueRequest* request,
                                                             DescribeTaskQueueResponse* response) {
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const history::NamespaceRef& ns) -> absl::StatusOr<DescribeTaskQueueResponse> {
                           if (request->task_queue().name().empty()) {
                             return errors::InvalidArgument("TaskQueue is not set on request.");
                           }
                           if (request->api_mode() == enums::DESCRIBE_TASK_QUEUE_MODE_ENHANCED) {
                             return DescribeEnhanced(backends_.matching, ns.id, *request);
                           }
                           return DescribeLegacy(backends_.matching, ns.id, *request);
                         });
}

}  // namespace zaman::frontend

#pragma GCC diagnostic pop
