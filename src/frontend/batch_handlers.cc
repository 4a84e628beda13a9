// Batch operations: StartBatchOperation, DescribeBatchOperation,
// ListBatchOperations, StopBatchOperation. A batch operation is a job of
// the worker role (worker/batch/): these handlers create, read and stop the
// job record; worker::batch::BatchRunner does the work.
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "frontend/grpc_status.h"
#include "frontend/workflow_service.h"
#include "visibility/query.h"
#include "worker/batch/batch_job.h"

namespace zaman::frontend {
namespace {

namespace enums = ::temporal::api::enums::v1;
using ::google::protobuf::util::TimeUtil;
using worker::batch::BatchJob;
using worker::batch::kJobKind;
using Request = wsv1::StartBatchOperationRequest;

// Temporal's frontend.MaxConcurrentBatchOperationPerNamespace.
constexpr int kMaxConcurrentPerNamespace = 1;
constexpr int kMaxPageSize = 1000;

// The handlers' type, as WorkflowService::OffloadUnary is instantiated for them.
template <typename Response>
using Handler = std::function<absl::StatusOr<Response>()>;

// Temporal's ValidateBatchOperation (service/worker/batcher), in its order
// and words.
absl::Status ValidateStart(const Request& request) {
  const bool has_targets = request.executions_size() > 0 || request.target_executions_size() > 0;
  if (request.operation_case() == Request::OPERATION_NOT_SET || request.reason().empty() ||
      request.namespace_().empty() || (request.visibility_query().empty() && !has_targets)) {
    return errors::InvalidArgument("must provide required parameters: BatchType/Reason/Namespace/Query/Executions");
  }
  if (request.job_id().empty()) return errors::InvalidArgument("JobId is not set on request.");
  if (!request.visibility_query().empty() && has_targets) {
    return errors::InvalidArgument("batch query and executions are mutually exclusive");
  }
  switch (request.operation_case()) {
    case Request::kSignalOperation:
      if (request.signal_operation().signal().empty()) return errors::InvalidArgument("must provide signal name");
      break;
    case Request::kResetOperation: {
      const auto& reset = request.reset_operation();
      if (reset.has_options()) {
        if (reset.options().target_case() == temporal::api::common::v1::ResetOptions::TARGET_NOT_SET) {
          return errors::InvalidArgument("batch reset missing target");
        }
        if (reset.options().has_build_id()) {
          return absl::UnimplementedError("batch reset to a build id's reset point is not supported by this server");
        }
      } else if (reset.reset_type() != enums::RESET_TYPE_FIRST_WORKFLOW_TASK &&
                 reset.reset_type() != enums::RESET_TYPE_LAST_WORKFLOW_TASK) {
        return errors::InvalidArgument(
            absl::StrCat("unknown batch reset type ", enums::ResetType_Name(reset.reset_type())));
      }
      break;
    }
    case Request::kTerminationOperation:
    case Request::kCancellationOperation:
    case Request::kDeletionOperation:
      break;
    case Request::kUpdateWorkflowOptionsOperation:
    case Request::kUnpauseActivitiesOperation:
    case Request::kResetActivitiesOperation:
    case Request::kUpdateActivityOptionsOperation:
      return absl::UnimplementedError("this batch operation type is not supported by this server");
    default:
      // Standalone activities' operations: Temporal does not take them either.
      return errors::InvalidArgument("The operation type is not supported");
  }
  return absl::OkStatus();
}

// The type Describe reports, as Temporal's frontend records it.
enums::BatchOperationType TypeOf(const Request& request) {
  switch (request.operation_case()) {
    case Request::kTerminationOperation: return enums::BATCH_OPERATION_TYPE_TERMINATE;
    case Request::kSignalOperation: return enums::BATCH_OPERATION_TYPE_SIGNAL;
    case Request::kCancellationOperation: return enums::BATCH_OPERATION_TYPE_CANCEL;
    case Request::kDeletionOperation: return enums::BATCH_OPERATION_TYPE_DELETE;
    case Request::kResetOperation: return enums::BATCH_OPERATION_TYPE_RESET;
    default: return enums::BATCH_OPERATION_TYPE_UNSPECIFIED;
  }
}

std::string IdentityOf(const Request& request) {
  switch (request.operation_case()) {
    case Request::kTerminationOperation: return request.termination_operation().identity();
    case Request::kSignalOperation: return request.signal_operation().identity();
    case Request::kCancellationOperation: return request.cancellation_operation().identity();
    case Request::kDeletionOperation: return request.deletion_operation().identity();
    case Request::kResetOperation: return request.reset_operation().identity();
    default: return "";
  }
}

// Terminate, signal and cancel only apply to open runs; Temporal narrows
// their query to them.
std::string QueryOf(const Request& request) {
  if (request.visibility_query().empty()) return "";
  switch (request.operation_case()) {
    case Request::kTerminationOperation:
    case Request::kSignalOperation:
    case Request::kCancellationOperation:
      return absl::StrCat("(", request.visibility_query(), ") AND (ExecutionStatus='Running')");
    default:
      return request.visibility_query();
  }
}

absl::StatusOr<int> RunningJobs(persistence::JobStore& jobs, const std::string& namespace_id) {
  int running = 0;
  std::string token;
  do {
    absl::StatusOr<persistence::JobPage> page = jobs.ListJobs(namespace_id, kJobKind, kMaxPageSize, token);
    if (!page.ok()) return page.status();
    for (const persistence::StoredJob& stored : page->jobs) {
      absl::StatusOr<BatchJob> job = worker::batch::ParseJob(stored);
      if (job.ok() && job->state() == enums::BATCH_OPERATION_STATE_RUNNING) ++running;
    }
    token = page->next_page_token;
  } while (!token.empty());
  return running;
}

// The store of batch jobs; Unimplemented where this frontend has none.
absl::StatusOr<persistence::JobStore*> JobsOf(persistence::JobStore* jobs) {
  if (jobs == nullptr) return absl::UnimplementedError("batch operations are not available on this server");
  return jobs;
}

absl::StatusOr<BatchJob> LoadJob(persistence::JobStore& jobs, const std::string& namespace_id,
                                 const std::string& job_id) {
  absl::StatusOr<persistence::StoredJob> stored = jobs.GetJob(namespace_id, kJobKind, job_id);
  if (stored.status().code() == absl::StatusCode::kNotFound) return worker::batch::NotFound(job_id);
  if (!stored.ok()) return stored.status();
  return worker::batch::ParseJob(*stored);
}

}  // namespace

grpc::ServerUnaryReactor* WorkflowService::StartBatchOperation(grpc::CallbackServerContext* context,
                                                               const wsv1::StartBatchOperationRequest* request,
                                                               wsv1::StartBatchOperationResponse* response) {
  return OffloadUnary(context, response, Handler<wsv1::StartBatchOperationResponse>([this, request]() -> absl::StatusOr<wsv1::StartBatchOperationResponse> {
    absl::StatusOr<persistence::JobStore*> store = JobsOf(backends_.jobs);
    if (!store.ok()) return store.status();
    persistence::JobStore& jobs = **store;
    if (absl::Status s = ValidateStart(*request); !s.ok()) return s;
    absl::StatusOr<history::NamespaceRef> ns = backends_.registry.Resolve(request->namespace_());
    if (!ns.ok()) return ns.status();

    BatchJob job;
    *job.mutable_request() = *request;
    job.set_namespace_id(ns->id);
    job.set_operation_type(TypeOf(*request));
    job.set_state(enums::BATCH_OPERATION_STATE_RUNNING);
    const absl::Time now = backends_.clock.Now();
    *job.mutable_start_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    job.set_identity(IdentityOf(*request));
    job.set_query(QueryOf(*request));
    if (!job.query().empty()) {
      absl::StatusOr<visibility::Query> parsed = visibility::ParseQuery(job.query(), *ns->search_attributes);
      if (!parsed.ok()) return parsed.status();
    }
    for (const auto& execution : request->executions()) *job.add_executions() = execution;
    for (const auto& target : request->target_executions()) {
      if (target.type() == enums::EXECUTION_TYPE_ACTIVITY) {
        return absl::UnimplementedError("standalone activities are not supported by this server");
      }
      auto* execution = job.add_executions();
      execution->set_workflow_id(target.business_id());
      execution->set_run_id(target.run_id());
    }
    const double asked = request->max_operations_per_second();
    job.set_rate(asked > 0 && asked < worker::batch::kMaxOperationsPerSecond ? asked
                                                                               : worker::batch::kMaxOperationsPerSecond);

    absl::StatusOr<int> running = RunningJobs(jobs, ns->id);
    if (!running.ok()) return running.status();
    if (*running >= kMaxConcurrentPerNamespace) return errors::NamespaceConcurrentLimit("Max concurrent batch operations is reached");

    persistence::StoredJob stored;
    stored.namespace_id = ns->id;
    stored.kind = std::string(kJobKind);
    stored.job_id = request->job_id();
    stored.state = job.SerializeAsString();
    stored.wake_at = now;
    absl::Status created = jobs.CreateJob(stored);
    if (created.code() == absl::StatusCode::kAlreadyExists) {
      // Temporal runs each batch as a workflow whose id is the job id,
      // with the reuse policy RejectDuplicate.
      absl::StatusOr<BatchJob> existing = LoadJob(jobs, ns->id, request->job_id());
      const std::string message =
          existing.ok() && existing->state() != enums::BATCH_OPERATION_STATE_RUNNING
              ? absl::StrCat("Workflow execution already finished. WorkflowId: ", request->job_id(),
                             ". Workflow Id reuse policy: reject duplicate workflow Id.")
              : absl::StrCat("Workflow execution is already running. WorkflowId: ", request->job_id(), ".");
      return errors::WithWorkflowAlreadyStarted(absl::AlreadyExistsError(message), "", "", "");
    }
    if (!created.ok()) return created;
    return wsv1::StartBatchOperationResponse();
  }));
}

grpc::ServerUnaryReactor* WorkflowService::DescribeBatchOperation(grpc::CallbackServerContext* context,
                                                                  const wsv1::DescribeBatchOperationRequest* request,
                                                                  wsv1::DescribeBatchOperationResponse* response) {
  return OffloadUnary(context, response, Handler<wsv1::DescribeBatchOperationResponse>([this, request]() -> absl::StatusOr<wsv1::DescribeBatchOperationResponse> {
    absl::StatusOr<persistence::JobStore*> store = JobsOf(backends_.jobs);
    if (!store.ok()) return store.status();
    persistence::JobStore& jobs = **store;
    if (request->job_id().empty()) return errors::InvalidArgument("JobId is not set on request.");
    absl::StatusOr<history::NamespaceRef> ns = backends_.registry.Resolve(request->namespace_());
    if (!ns.ok()) return ns.status();
    absl::StatusOr<BatchJob> job = LoadJob(jobs, ns->id, request->job_id());
    if (!job.ok()) return job.status();
    wsv1::DescribeBatchOperationResponse r;
    r.set_operation_type(job->operation_type());
    r.set_job_id(request->job_id());
    r.set_state(job->state());
    *r.mutable_start_time() = job->start_time();
    if (job->has_close_time()) *r.mutable_close_time() = job->close_time();
    // Finished, the total is what was done; before, the estimate counted at the start.
    r.set_total_operation_count(job->state() == enums::BATCH_OPERATION_STATE_COMPLETED
                                    ? job->success_count() + job->failure_count()
                                    : job->total_estimate());
    r.set_complete_operation_count(job->success_count());
    r.set_failure_operation_count(job->failure_count());
    r.set_identity(job->identity());
    r.set_reason(job->request().reason());
    r.set_query(job->request().visibility_query());
    for (const auto& execution : job->executions()) {
      auto* e = r.add_executions();
      e->set_type(enums::EXECUTION_TYPE_WORKFLOW);
      e->set_business_id(execution.workflow_id());
      e->set_run_id(execution.run_id());
    }
    return r;
  }));
}

grpc::ServerUnaryReactor* WorkflowService::ListBatchOperations(grpc::CallbackServerContext* context,
                                                               const wsv1::ListBatchOperationsRequest* request,
                                                               wsv1::ListBatchOperationsResponse* response) {
  return OffloadUnary(context, response, Handler<wsv1::ListBatchOperationsResponse>([this, request]() -> absl::StatusOr<wsv1::ListBatchOperationsResponse> {
    absl::StatusOr<persistence::JobStore*> store = JobsOf(backends_.jobs);
    if (!store.ok()) return store.status();
    persistence::JobStore& jobs = **store;
    absl::StatusOr<history::NamespaceRef> ns = backends_.registry.Resolve(request->namespace_());
    if (!ns.ok()) return ns.status();
    const int page_size =
        request->page_size() <= 0 || request->page_size() > kMaxPageSize ? kMaxPageSize : request->page_size();
    absl::StatusOr<persistence::JobPage> page =
        jobs.ListJobs(ns->id, kJobKind, page_size, request->next_page_token());
    if (!page.ok()) return page.status();
    wsv1::ListBatchOperationsResponse r;
    for (const persistence::StoredJob& stored : page->jobs) {
      absl::StatusOr<BatchJob> job = worker::batch::ParseJob(stored);
      if (!job.ok()) continue;
      auto* info = r.add_operation_info();
      info->set_job_id(stored.job_id);
      info->set_state(job->state());
      *info->mutable_start_time() = job->start_time();
      if (job->has_close_time()) *info->mutable_close_time() = job->close_time();
      info->set_operation_type(job->operation_type());
    }
    r.set_next_page_token(page->next_page_token);
    return r;
  }));
}

grpc::ServerUnaryReactor* WorkflowService::StopBatchOperation(grpc::CallbackServerContext* context,
                                                              const wsv1::StopBatchOperationRequest* request,
                                                              wsv1::StopBatchOperationResponse* response) {
  return OffloadUnary(context, response, Handler<wsv1::StopBatchOperationResponse>([this, request]() -> absl::StatusOr<wsv1::StopBatchOperationResponse> {
    absl::StatusOr<persistence::JobStore*> store = JobsOf(backends_.jobs);
    if (!store.ok()) return store.status();
    persistence::JobStore& jobs = **store;
    if (request->job_id().empty()) return errors::InvalidArgument("JobId is not set on request.");
    if (request->namespace_().empty()) return errors::InvalidArgument("Namespace is not set on request.");
    if (request->reason().empty()) return errors::InvalidArgument("Reason is not set on request.");
    absl::StatusOr<history::NamespaceRef> ns = backends_.registry.Resolve(request->namespace_());
    if (!ns.ok()) return ns.status();
    absl::Status s = worker::batch::StopJob(jobs, ns->id, request->job_id(), request->reason(),
                                            request->identity(), backends_.clock.Now());
    if (!s.ok()) return s;
    return wsv1::StopBatchOperationResponse();
  }));
}

}  // namespace zaman::frontend
