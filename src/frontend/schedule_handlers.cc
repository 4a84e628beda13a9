// The schedule RPCs: validated here as Temporal's frontend validates them,
// applied by the worker role's ScheduleService (worker/schedule/).
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "frontend/request_validation.h"
#include "frontend/workflow_service.h"
#include "frontend/workflow_service_calls.h"
#include "visibility/search_attributes.h"
#include "worker/schedule/spec.h"

namespace zaman::frontend {
namespace {

namespace enums = ::temporal::api::enums::v1;
namespace sched = ::temporal::api::schedule::v1;
using history::NamespaceRef;

constexpr size_t kMaxIdLength = 1000;
// Temporal's common.ScheduleNotesSizeLimit.
constexpr size_t kMaxNotesLength = 1000;
// What Temporal appends to a started workflow's id, for checking its length.
constexpr absl::string_view kAppendedTimestamp = "-2009-11-10T23:00:00Z";

absl::Status ValidateScheduleId(const std::string& schedule_id) {
  if (schedule_id.empty()) return errors::InvalidArgument("ScheduleId is not set on request.");
  if (schedule_id.size() + worker::schedule::kVisibilityWorkflowIdPrefix.size() > kMaxIdLength) {
    return errors::InvalidArgument("WorkflowId length exceeds limit.");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(const std::string& request_id, bool required) {
  if (required && request_id.empty()) return errors::InvalidArgument("RequestId is not set on request.");
  if (request_id.size() > kMaxIdLength) return errors::InvalidArgument("RequestId length exceeds limit.");
  return absl::OkStatus();
}

// The schedule as it will be stored: its spec in canonical form, its
// action's search attributes typed; InvalidArgument as Temporal words it.
absl::Status PrepareSchedule(sched::Schedule& schedule, const NamespaceRef& ns) {
  absl::StatusOr<sched::ScheduleSpec> spec = worker::schedule::Canonicalize(schedule.spec());
  if (!spec.ok()) return errors::InvalidArgument(absl::StrCat("Invalid schedule spec: ", spec.status().message()));
  *schedule.mutable_spec() = *std::move(spec);
  if (!schedule.action().has_start_workflow()) return absl::OkStatus();
  temporal::api::workflow::v1::NewWorkflowExecutionInfo& start = *schedule.mutable_action()->mutable_start_workflow();
  wsv1::StartWorkflowExecutionRequest as_start;
  as_start.set_workflow_id(start.workflow_id().empty() ? "" : absl::StrCat(start.workflow_id(), kAppendedTimestamp));
  *as_start.mutable_workflow_type() = start.workflow_type();
  *as_start.mutable_task_queue() = start.task_queue();
  *as_start.mutable_input() = start.input();
  *as_start.mutable_workflow_execution_timeout() = start.workflow_execution_timeout();
  *as_start.mutable_workflow_run_timeout() = start.workflow_run_timeout();
  *as_start.mutable_workflow_task_timeout() = start.workflow_task_timeout();
  *as_start.mutable_memo() = start.memo();
  if (start.has_retry_policy()) *as_start.mutable_retry_policy() = start.retry_policy();
  if (!start.cron_schedule().empty()) return errors::InvalidArgument("Scheduled workflow must not contain CronSchedule");
  if (absl::Status s = ValidateStart(as_start); !s.ok()) return s;
  if (start.workflow_id_reuse_policy() != enums::WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED &&
      start.workflow_id_reuse_policy() != enums::WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE) {
    return errors::InvalidArgument("Scheduled workflow must not contain WorkflowIDReusePolicy");
  }
  return visibility::ValidateAndStamp(*start.mutable_search_attributes(), *ns.search_attributes);
}

// A server without the worker role has no schedules.
grpc::ServerUnaryReactor* NoSchedules(grpc::CallbackServerContext* context) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "schedules need the worker role"));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* WorkflowService::CreateSchedule(grpc::CallbackServerContext* context,
                                                          const wsv1::CreateScheduleRequest* request,
                                                          wsv1::CreateScheduleResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::CreateScheduleResponse> {
                           if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
                           if (absl::Status s = ValidateRequestId(request->request_id(), true); !s.ok()) return s;
                           wsv1::CreateScheduleRequest create = *request;
                           if (absl::Status s = PrepareSchedule(*create.mutable_schedule(), ns); !s.ok()) return s;
                           if (absl::Status s = visibility::ValidateAndStamp(*create.mutable_search_attributes(),
                                                                             *ns.search_attributes);
                               !s.ok()) {
                             return s;
                           }
                           return backends_.schedules->Create(ns, create);
                         });
}

grpc::ServerUnaryReactor* WorkflowService::DescribeSchedule(grpc::CallbackServerContext* context,
                                                            const wsv1::DescribeScheduleRequest* request,
                                                            wsv1::DescribeScheduleResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::DescribeScheduleResponse> {
                           if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
                           return backends_.schedules->Describe(ns, request->schedule_id());
                         });
}

grpc::ServerUnaryReactor* WorkflowService::UpdateSchedule(grpc::CallbackServerContext* context,
                                                          const wsv1::UpdateScheduleRequest* request,
                                                          wsv1::UpdateScheduleResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::UpdateScheduleResponse> {
                           if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
                           if (absl::Status s = ValidateRequestId(request->request_id(), false); !s.ok()) return s;
                           wsv1::UpdateScheduleRequest update = *request;
                           if (absl::Status s = PrepareSchedule(*update.mutable_schedule(), ns); !s.ok()) return s;
                           if (update.has_search_attributes()) {
                             if (absl::Status s = visibility::ValidateAndStamp(*update.mutable_search_attributes(),
                                                                               *ns.search_attributes);
                                 !s.ok()) {
                               return s;
                             }
                           }
                           if (absl::Status s = backends_.schedules->Update(ns, update); !s.ok()) return s;
                           return wsv1::UpdateScheduleResponse();
                         });
}

grpc::ServerUnaryReactor* WorkflowService::PatchSchedule(grpc::CallbackServerContext* context,
                                                         const wsv1::PatchScheduleRequest* request,
                                                         wsv1::PatchScheduleResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::PatchScheduleResponse> {
                           if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
                           if (absl::Status s = ValidateRequestId(request->request_id(), false); !s.ok()) return s;
                           if (request->patch().pause().size() > kMaxNotesLength ||
                               request->patch().unpause().size() > kMaxNotesLength) {
                             return errors::InvalidArgument("Schedule notes exceeds limit.");
                           }
                           if (absl::Status s = backends_.schedules->Patch(ns, request->schedule_id(), request->patch());
                               !s.ok()) {
                             return s;
                           }
                           return wsv1::PatchScheduleResponse();
                         });
}

grpc::ServerUnaryReactor* WorkflowService::ListScheduleMatchingTimes(
    grpc::CallbackServerContext* context, const wsv1::ListScheduleMatchingTimesRequest* request,
    wsv1::ListScheduleMatchingTimesResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(
      context, request->namespace_(), response,
      [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ListScheduleMatchingTimesResponse> {
        if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
        return backends_.schedules->ListMatchingTimes(ns, *request);
      });
}

grpc::ServerUnaryReactor* WorkflowService::DeleteSchedule(grpc::CallbackServerContext* context,
                                                          const wsv1::DeleteScheduleRequest* request,
                                                          wsv1::DeleteScheduleResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::DeleteScheduleResponse> {
                           if (absl::Status s = ValidateScheduleId(request->schedule_id()); !s.ok()) return s;
                           if (absl::Status s = backends_.schedules->Delete(ns, request->schedule_id()); !s.ok()) {
                             return s;
                           }
                           return wsv1::DeleteScheduleResponse();
                         });
}

grpc::ServerUnaryReactor* WorkflowService::ListSchedules(grpc::CallbackServerContext* context,
                                                         const wsv1::ListSchedulesRequest* request,
                                                         wsv1::ListSchedulesResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::ListSchedulesResponse> {
                           return backends_.schedules->List(ns, *request);
                         });
}

grpc::ServerUnaryReactor* WorkflowService::CountSchedules(grpc::CallbackServerContext* context,
                                                          const wsv1::CountSchedulesRequest* request,
                                                          wsv1::CountSchedulesResponse* response) {
  if (backends_.schedules == nullptr) return NoSchedules(context);
  return ReadInNamespace(context, request->namespace_(), response,
                         [this, request](const NamespaceRef& ns) -> absl::StatusOr<wsv1::CountSchedulesResponse> {
                           return backends_.schedules->Count(ns, request->query());
                         });
}

}  // namespace zaman::frontend
