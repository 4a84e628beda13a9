// WorkflowService: the RPCs that start, drive and read workflows. Each
// validates what it can without the store, resolves the namespace, and
// hands the work to history or matching; none of them holds a gRPC thread
// while it waits.
#include <algorithm>
#include <type_traits>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "frontend/grpc_status.h"
#include "frontend/request_validation.h"
#include "frontend/workflow_service.h"
#include "frontend/workflow_service_calls.h"
#include "history/cron.h"

namespace zaman::frontend {

using history::NamespaceRef;
using history::TaskToken;
using ::google::protobuf::util::TimeUtil;

namespace {

constexpr size_t kMaxIdLength = 1000;
// Temporal's limit.blobSize.error: the largest payload a request may carry
// (also advertised in NamespaceInfo.limits).
constexpr size_t kBlobSizeLimit = 2 * 1024 * 1024;

absl::Status CheckBlobSize(const google::protobuf::Message& blob) {
  if (blob.ByteSizeLong() > kBlobSizeLimit) return errors::InvalidArgument("Blob data size exceeds limit.");
  return absl::OkStatus();
}
constexpr absl::Duration kMatchingLongPoll = absl::Seconds(60);
constexpr absl::Duration kLongPollTailRoom = absl::Seconds(1);

absl::Status ValidateId(const std::string& value, const char* what) {
  if (value.empty()) return errors::InvalidArgument(absl::StrCat(what, " is not set on request."));
  if (value.size() > kMaxIdLength) return errors::InvalidArgument(absl::StrCat(what, " exceeds length limit."));
  return absl::OkStatus();
}

absl::Status ValidateDuration(const google::protobuf::Duration& d, const char* what) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() >= 1000000000 || d.seconds() > 315576000000) {
    return errors::InvalidArgument(absl::StrCat("Invalid ", what, "."));
  }
  return absl::OkStatus();
}

absl::StatusOr<TaskToken> ParseToken(const std::string& bytes, const NamespaceRef& ns) {
  TaskToken token;
  if (bytes.empty() || !token.ParseFromString(bytes) || token.workflow_id().empty() || token.run_id().empty()) {
    return errors::InvalidArgument("Error deserializing task token.");
  }
  if (token.namespace_id() != ns.id) {
    return errors::InvalidArgument("Operation requested with a token from a different namespace.");
  }
  return token;
}

// As Temporal checks a workflow's retry policy (activities' are checked
// when their command is applied).
absl::Status ValidateRetryPolicy(const temporal::api::common::v1::RetryPolicy& p) {
  for (auto [d, what] : {std::pair{&p.initial_interval(), "InitialInterval"},
                         std::pair{&p.maximum_interval(), "MaximumInterval"}}) {
    if (d->seconds() < 0 || d->nanos() < 0) {
      return errors::InvalidArgument(absl::StrCat("Invalid RetryPolicy: ", what, " cannot be negative."));
    }
  }
  if (p.backoff_coefficient() != 0 && p.backoff_coefficient() < 1) {
    return errors::InvalidArgument("Invalid RetryPolicy: BackoffCoefficient cannot be less than 1.");
  }
  if (p.maximum_attempts() < 0) {
    return errors::InvalidArgument("Invalid RetryPolicy: MaximumAttempts cannot be negative.");
  }
  const auto nanos = [](const google::protobuf::Duration& d) { return d.seconds() * 1000000000 + d.nanos(); };
  if (nanos(p.maximum_interval()) > 0 && nanos(p.maximum_interval()) < nanos(p.initial_interval())) {
    return errors::InvalidArgument("Invalid RetryPolicy: MaximumInterval cannot be less than InitialInterval.");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateStart(const wsv1::StartWorkflowExecutionRequest& r) {
  if (absl::Status s = ValidateId(r.workflow_id(), "WorkflowId"); !s.ok()) return s;
  if (r.workflow_type().name().empty()) return errors::InvalidArgument("WorkflowType is not set on request.");
  if (r.task_queue().name().empty()) return errors::InvalidArgument("TaskQueue is not set on request.");
  if (r.task_queue().name().size() > kMaxIdLength) return errors::InvalidArgument("TaskQueue length exceeds limit.");
  if (r.request_id().size() > kMaxIdLength) return errors::InvalidArgument("RequestId length exceeds limit.");
  for (auto [d, what] : {std::pair{&r.workflow_execution_timeout(), "WorkflowExecutionTimeout"},
                         std::pair{&r.workflow_run_timeout(), "WorkflowRunTimeout"},
                         std::pair{&r.workflow_task_timeout(), "WorkflowTaskTimeout"}}) {
    if (absl::Status s = ValidateDuration(*d, what); !s.ok()) return s;
  }
  if (absl::Status s = CheckBlobSize(r.input()); !s.ok()) return s;
  if (absl::Status s = CheckBlobSize(r.memo()); !s.ok()) return s;
  if (!r.cron_schedule().empty()) {
    if (absl::StatusOr<history::CronSchedule> cron = history::CronSchedule::Parse(r.cron_schedule()); !cron.ok()) {
      return errors::InvalidArgument(std::string(cron.status().message()));
    }
  }
  if (absl::Status s = ValidateDuration(r.workflow_start_delay(), "WorkflowStartDelay"); !s.ok()) return s;
  const bool delayed = r.workflow_start_delay().seconds() > 0 || r.workflow_start_delay().nanos() > 0;
  if (delayed && !r.cron_schedule().empty()) {
    return errors::InvalidArgument("CronSchedule and WorkflowStartDelay may not be used together.");
  }
  if (r.has_retry_policy()) {
    if (absl::Status s = ValidateRetryPolicy(r.retry_policy()); !s.ok()) return s;
  }
  if (r.workflow_id_conflict_policy() == temporal::api::enums::v1::WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING &&
      r.workflow_id_reuse_policy() == temporal::api::enums::v1::WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
    return errors::InvalidArgument("Invalid WorkflowIDReusePolicy: cannot be TERMINATE_IF_RUNNING with USE_EXISTING.");
  }
  return absl::OkStatus();
}

namespace {

}  // namespace

namespace {

bool IsUuid(absl::string_view id) {
  if (id.size() == 32) return std::all_of(id.begin(), id.end(), absl::ascii_isxdigit);
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !absl::ascii_isxdigit(id[i])) return false;
  }
  return true;
}

}  // namespace

// A run id is a UUID (Temporal's text, which tools look for).
absl::Status ValidateExecution(const temporal::api::common::v1::WorkflowExecution& execution) {
  if (absl::Status s = ValidateId(execution.workflow_id(), "WorkflowId"); !s.ok()) return s;
  if (!execution.run_id().empty() && !IsUuid(execution.run_id())) return errors::InvalidArgument("Invalid RunId.");
  return absl::OkStatus();
}


// One long poll, from its RPC until a task is handed over or the deadline.
template <typename Response>
struct PollState {
  grpc::CallbackServerContext* context;
  grpc::ServerUnaryReactor* reactor;
  NamespaceRef ns;
  matching::TaskQueueKey queue;
  bool sticky;  // a worker's sticky queue
  std::string identity;
  absl::Time deadline;
  Response* response;
};


absl::Time WorkflowService::LongPollDeadline(grpc::CallbackServerContext* context, absl::Duration cap) const {
  absl::Time now = backends_.clock.Now();
  absl::Time caller = absl::FromChrono(context->deadline());
  return std::min(caller - kLongPollTailRoom, now + cap);
}

// --- Start -----------------------------------------------------------------

grpc::ServerUnaryReactor* WorkflowService::StartWorkflowExecution(grpc::CallbackServerContext* context,
                                                                  const wsv1::StartWorkflowExecutionRequest* request,
                                                                  wsv1::StartWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::StartWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateStart(*request); !s.ok()) return done(s);
        wsv1::StartWorkflowExecutionRequest start = *request;
        if (absl::Status s = visibility::ValidateAndStamp(*start.mutable_search_attributes(), *ns.search_attributes);
            !s.ok()) {
          return done(s);
        }
        backends_.history.StartWorkflow(ns, std::move(start), std::move(done));
      });
}

grpc::ServerUnaryReactor* WorkflowService::SignalWithStartWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::SignalWithStartWorkflowExecutionRequest* request,
    wsv1::SignalWithStartWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::SignalWithStartWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        wsv1::StartWorkflowExecutionRequest as_start;
        as_start.set_workflow_id(request->workflow_id());
        *as_start.mutable_workflow_type() = request->workflow_type();
        *as_start.mutable_task_queue() = request->task_queue();
        *as_start.mutable_workflow_execution_timeout() = request->workflow_execution_timeout();
        *as_start.mutable_workflow_run_timeout() = request->workflow_run_timeout();
        *as_start.mutable_workflow_task_timeout() = request->workflow_task_timeout();
        as_start.set_request_id(request->request_id());
        as_start.set_cron_schedule(request->cron_schedule());
        *as_start.mutable_workflow_start_delay() = request->workflow_start_delay();
        if (request->has_retry_policy()) *as_start.mutable_retry_policy() = request->retry_policy();
        if (absl::Status s = ValidateStart(as_start); !s.ok()) return done(s);
        if (request->signal_name().empty()) return done(errors::InvalidArgument("SignalName is not set on request."));
        if (request->workflow_id_conflict_policy() == temporal::api::enums::v1::WORKFLOW_ID_CONFLICT_POLICY_FAIL) {
          // Signal-with-required-start does not exist.
          return done(errors::InvalidArgument(
              "Invalid WorkflowIDConflictPolicy: WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for this "
              "operation."));
        }
        for (const auto* blob : {static_cast<const google::protobuf::Message*>(&request->input()),
                                 static_cast<const google::protobuf::Message*>(&request->signal_input())}) {
          if (absl::Status s = CheckBlobSize(*blob); !s.ok()) return done(s);
        }
        wsv1::SignalWithStartWorkflowExecutionRequest stamped = *request;
        if (absl::Status s = visibility::ValidateAndStamp(*stamped.mutable_search_attributes(), *ns.search_attributes);
            !s.ok()) {
          return done(s);
        }
        backends_.history.SignalWithStartWorkflow(ns, std::move(stamped), std::move(done));
      });
}

// --- Workflow tasks --------------------------------------------------------

template <typename Response>
void WorkflowService::PollForTask(std::shared_ptr<PollState<Response>> poll) {
  constexpr bool kWorkflow = std::is_same_v<Response, wsv1::PollWorkflowTaskQueueResponse>;
  backends_.matching.Poll(
      poll->queue, poll->sticky, poll->identity, poll->deadline, [poll] { return poll->context->IsCancelled(); },
      [this, poll](std::optional<matching::PolledTask> polled) {
        if (!polled) {
          poll->reactor->Finish(grpc::Status::OK);  // no task before the deadline: an empty answer
          return;
        }
        if constexpr (kWorkflow) {
          if (polled->query) return DeliverQueryTask(poll, polled->task, *polled->query);
        }
        const history::TransferTask* task = &polled->task;
        history::Done<Response> started = [this, poll, task = *task](absl::StatusOr<Response> started) {
          if (started.ok()) {
            *poll->response = *std::move(started);
            poll->reactor->Finish(grpc::Status::OK);
            return;
          }
          // Stale (already started, run gone): that task is done; wait for
          // the next one. Anything else: the task goes back (a task matching
          // had stored is stored again: no outbox holds it now).
          if (started.status().code() != absl::StatusCode::kNotFound) {
            backends_.matching.AddTask(task, [](absl::StatusOr<bool>) {});
          }
          PollForTask(poll);
        };
        // History records the start (the started event, the timeouts) and
        // fills in what the worker needs.
        if constexpr (kWorkflow) {
          backends_.history.RecordWorkflowTaskStarted(poll->ns, *task, poll->identity, backends_.random.NewUuid(),
                                                      std::move(started));
        } else {
          backends_.history.RecordActivityTaskStarted(poll->ns, *task, poll->identity, backends_.random.NewUuid(),
                                                      std::move(started));
        }
      });
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* WorkflowService::StartPoll(grpc::CallbackServerContext* context, const Request* request,
                                                     Response* response, history::TransferTask::Kind kind) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  blocking_pool_.Post([this, context, reactor, request, response, kind] {
    absl::StatusOr<NamespaceRef> ns = backends_.registry.Resolve(request->namespace_());
    if (!ns.ok()) return reactor->Finish(ToGrpcStatus(ns.status()));
    if (request->task_queue().name().empty()) {
      return reactor->Finish(ToGrpcStatus(errors::InvalidArgument("TaskQueue is not set on request.")));
    }
    auto poll = std::make_shared<PollState<Response>>(
        PollState<Response>{context, reactor, *ns, {ns->id, request->task_queue().name(), kind},
                            request->task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY,
                            request->identity(), LongPollDeadline(context, kMatchingLongPoll), response});
    PollForTask(poll);
  });
  return reactor;
}

grpc::ServerUnaryReactor* WorkflowService::PollWorkflowTaskQueue(grpc::CallbackServerContext* context,
                                                                 const wsv1::PollWorkflowTaskQueueRequest* request,
                                                                 wsv1::PollWorkflowTaskQueueResponse* response) {
  return StartPoll(context, request, response, history::TransferTask::WORKFLOW_TASK);
}

grpc::ServerUnaryReactor* WorkflowService::PollActivityTaskQueue(grpc::CallbackServerContext* context,
                                                                 const wsv1::PollActivityTaskQueueRequest* request,
                                                                 wsv1::PollActivityTaskQueueResponse* response) {
  return StartPoll(context, request, response, history::TransferTask::ACTIVITY_TASK);
}

grpc::ServerUnaryReactor* WorkflowService::RespondWorkflowTaskCompleted(
    grpc::CallbackServerContext* context, const wsv1::RespondWorkflowTaskCompletedRequest* request,
    wsv1::RespondWorkflowTaskCompletedResponse* response) {
  return WithNamespace<wsv1::RespondWorkflowTaskCompletedResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        absl::StatusOr<TaskToken> token = ParseToken(request->task_token(), ns);
        if (!token.ok()) return done(token.status());
        backends_.history.RespondWorkflowTaskCompleted(ns, *token, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* WorkflowService::RespondWorkflowTaskFailed(
    grpc::CallbackServerContext* context, const wsv1::RespondWorkflowTaskFailedRequest* request,
    wsv1::RespondWorkflowTaskFailedResponse* response) {
  return WithNamespace<wsv1::RespondWorkflowTaskFailedResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        absl::StatusOr<TaskToken> token = ParseToken(request->task_token(), ns);
        if (!token.ok()) return done(token.status());
        backends_.history.RespondWorkflowTaskFailed(*token, *request, std::move(done));
      });
}

grpc::ServerUnaryReactor* WorkflowService::ResetStickyTaskQueue(grpc::CallbackServerContext* context,
                                                                const wsv1::ResetStickyTaskQueueRequest* request,
                                                                wsv1::ResetStickyTaskQueueResponse* response) {
  return WithNamespace<wsv1::ResetStickyTaskQueueResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        backends_.history.ResetStickyTaskQueue(ns, *request, [done](absl::StatusOr<bool> r) {
          if (!r.ok()) return done(r.status());
          done(wsv1::ResetStickyTaskQueueResponse());
        });
      });
}

grpc::ServerUnaryReactor* WorkflowService::ShutdownWorker(grpc::CallbackServerContext* context,
                                                          const wsv1::ShutdownWorkerRequest* request,
                                                          wsv1::ShutdownWorkerResponse* response) {
  return WithNamespace<wsv1::ShutdownWorkerResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        // The worker's sticky queue is no longer polled: the tasks waiting
        // there go to their normal queues now, not after the sticky timeout.
        if (!request->sticky_task_queue().empty()) {
          absl::StatusOr<std::vector<history::TransferTask>> dropped =
              backends_.matching.DropStickyQueue(ns.id, request->sticky_task_queue());
          if (!dropped.ok()) return done(dropped.status());
          for (const auto& task : *dropped) backends_.history.DispatchTransferTask(task);
        }
        done(wsv1::ShutdownWorkerResponse());
      });
}

// --- Activity tasks ---------------------------------------------------------

template <typename Response>
grpc::ServerUnaryReactor* WorkflowService::RespondActivity(grpc::CallbackServerContext* context,
                                                           const std::string& ns_name, ActivityTarget target,
                                                           Response* response,
                                                           history::HistoryClient::ActivityOutcome outcome) {
  return WithNamespace<Response>(
      context, ns_name, response, [this, target, outcome](const NamespaceRef& ns, auto done) {
        absl::StatusOr<TaskToken> token;
        if (target.by_id) {
          if (absl::Status s = ValidateId(target.workflow_id, "WorkflowId"); !s.ok()) return done(s);
          if (absl::Status s = ValidateId(target.activity_id, "ActivityId"); !s.ok()) return done(s);
          token = backends_.history.ActivityTokenById(ns.id, target.workflow_id, target.run_id, target.activity_id);
        } else {
          token = ParseToken(target.task_token, ns);
          if (token.ok() && !token->is_activity()) token = errors::InvalidArgument("Error deserializing task token.");
        }
        if (!token.ok()) return done(token.status());
        auto finish = [done](absl::StatusOr<bool> result) {
          if (!result.ok()) return done(result.status());
          done(Response());
        };
        backends_.history.RespondActivityTask(*token, outcome, std::move(finish));
      });
}

namespace {

using Outcome = history::HistoryClient::ActivityOutcome;

Outcome Completed(const temporal::api::common::v1::Payloads& result, const std::string& identity) {
  return Outcome{Outcome::kCompleted, result, {}, {}, identity};
}
Outcome Failed(const temporal::api::failure::v1::Failure& failure,
               const temporal::api::common::v1::Payloads& heartbeat, const std::string& identity) {
  return Outcome{Outcome::kFailed, {}, failure, heartbeat, identity};
}
Outcome Canceled(const temporal::api::common::v1::Payloads& details, const std::string& identity) {
  return Outcome{Outcome::kCanceled, {}, {}, details, identity};
}

template <typename Request>
WorkflowService::ActivityTarget ByToken(const Request& r) {
  return {false, r.task_token(), "", "", ""};
}
template <typename Request>
WorkflowService::ActivityTarget ById(const Request& r) {
  return {true, "", r.workflow_id(), r.run_id(), r.activity_id()};
}

}  // namespace

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskCompleted(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskCompletedRequest* request,
    wsv1::RespondActivityTaskCompletedResponse* response) {
  return RespondActivity(context, request->namespace_(), ByToken(*request), response,
                         Completed(request->result(), request->identity()));
}

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskCompletedById(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskCompletedByIdRequest* request,
    wsv1::RespondActivityTaskCompletedByIdResponse* response) {
  return RespondActivity(context, request->namespace_(), ById(*request), response,
                         Completed(request->result(), request->identity()));
}

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskFailed(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskFailedRequest* request,
    wsv1::RespondActivityTaskFailedResponse* response) {
  return RespondActivity(context, request->namespace_(), ByToken(*request), response,
                         Failed(request->failure(), request->last_heartbeat_details(), request->identity()));
}

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskFailedById(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskFailedByIdRequest* request,
    wsv1::RespondActivityTaskFailedByIdResponse* response) {
  return RespondActivity(context, request->namespace_(), ById(*request), response,
                         Failed(request->failure(), request->last_heartbeat_details(), request->identity()));
}

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskCanceled(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskCanceledRequest* request,
    wsv1::RespondActivityTaskCanceledResponse* response) {
  return RespondActivity(context, request->namespace_(), ByToken(*request), response,
                         Canceled(request->details(), request->identity()));
}

grpc::ServerUnaryReactor* WorkflowService::RespondActivityTaskCanceledById(
    grpc::CallbackServerContext* context, const wsv1::RespondActivityTaskCanceledByIdRequest* request,
    wsv1::RespondActivityTaskCanceledByIdResponse* response) {
  return RespondActivity(context, request->namespace_(), ById(*request), response,
                         Canceled(request->details(), request->identity()));
}

template <typename Response>
grpc::ServerUnaryReactor* WorkflowService::Heartbeat(grpc::CallbackServerContext* context, const std::string& ns_name,
                                                     ActivityTarget target,
                                                     const temporal::api::common::v1::Payloads& details,
                                                     Response* response) {
  return WithNamespace<Response>(
      context, ns_name, response, [this, target, details](const NamespaceRef& ns, auto done) {
        absl::StatusOr<TaskToken> token =
            target.by_id ? backends_.history.ActivityTokenById(ns.id, target.workflow_id, target.run_id,
                                                               target.activity_id)
                         : ParseToken(target.task_token, ns);
        if (!token.ok()) return done(token.status());
        backends_.history.RecordActivityHeartbeat(
            *token, details, [done](absl::StatusOr<history::HistoryClient::HeartbeatReply> reply) {
              if (!reply.ok()) return done(reply.status());
              Response r;
              r.set_cancel_requested(reply->cancel_requested);
              r.set_activity_paused(reply->paused);
              r.set_activity_reset(reply->reset);
              done(std::move(r));
            });
      });
}

grpc::ServerUnaryReactor* WorkflowService::RecordActivityTaskHeartbeat(
    grpc::CallbackServerContext* context, const wsv1::RecordActivityTaskHeartbeatRequest* request,
    wsv1::RecordActivityTaskHeartbeatResponse* response) {
  return Heartbeat(context, request->namespace_(), ByToken(*request), request->details(), response);
}

grpc::ServerUnaryReactor* WorkflowService::RecordActivityTaskHeartbeatById(
    grpc::CallbackServerContext* context, const wsv1::RecordActivityTaskHeartbeatByIdRequest* request,
    wsv1::RecordActivityTaskHeartbeatByIdResponse* response) {
  return Heartbeat(context, request->namespace_(), ById(*request), request->details(), response);
}

// --- Signals, cancellation, termination --------------------------------------

grpc::ServerUnaryReactor* WorkflowService::SignalWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::SignalWorkflowExecutionRequest* request,
    wsv1::SignalWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::SignalWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        if (request->signal_name().empty()) return done(errors::InvalidArgument("SignalName is not set on request."));
        if (absl::Status s = CheckBlobSize(request->input()); !s.ok()) return done(s);
        backends_.history.SignalWorkflow(ns, *request, [done](absl::StatusOr<bool> r) {
          if (!r.ok()) return done(r.status());
          done(wsv1::SignalWorkflowExecutionResponse());
        });
      });
}

grpc::ServerUnaryReactor* WorkflowService::RequestCancelWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::RequestCancelWorkflowExecutionRequest* request,
    wsv1::RequestCancelWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::RequestCancelWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        backends_.history.RequestCancelWorkflow(ns, *request, [done](absl::StatusOr<bool> r) {
          if (!r.ok()) return done(r.status());
          done(wsv1::RequestCancelWorkflowExecutionResponse());
        });
      });
}

grpc::ServerUnaryReactor* WorkflowService::TerminateWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::TerminateWorkflowExecutionRequest* request,
    wsv1::TerminateWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::TerminateWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        backends_.history.TerminateWorkflow(ns, *request, [done](absl::StatusOr<bool> r) {
          if (!r.ok()) return done(r.status());
          done(wsv1::TerminateWorkflowExecutionResponse());
        });
      });
}

// --- Reads -------------------------------------------------------------------

grpc::ServerUnaryReactor* WorkflowService::DescribeWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::DescribeWorkflowExecutionRequest* request,
    wsv1::DescribeWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::DescribeWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        done(backends_.history.DescribeWorkflow(ns, *request));
      });
}

grpc::ServerUnaryReactor* WorkflowService::GetWorkflowExecutionHistoryReverse(
    grpc::CallbackServerContext* context, const wsv1::GetWorkflowExecutionHistoryReverseRequest* request,
    wsv1::GetWorkflowExecutionHistoryReverseResponse* response) {
  return WithNamespace<wsv1::GetWorkflowExecutionHistoryReverseResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        done(backends_.history.GetWorkflowHistoryReverse(ns, *request));
      });
}

grpc::ServerUnaryReactor* WorkflowService::ResetWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::ResetWorkflowExecutionRequest* request,
    wsv1::ResetWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::ResetWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        if (request->workflow_task_finish_event_id() <= 0) {
          return done(errors::InvalidArgument("WorkflowTaskFinishEventId is not set on request."));
        }
        if (request->request_id().size() > kMaxIdLength) {
          return done(errors::InvalidArgument("RequestId length exceeds limit."));
        }
        wsv1::ResetWorkflowExecutionRequest filled = *request;
        if (filled.request_id().empty()) filled.set_request_id(backends_.random.NewUuid());
        backends_.history.ResetWorkflow(ns, std::move(filled), std::move(done));
      });
}

grpc::ServerUnaryReactor* WorkflowService::DeleteWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::DeleteWorkflowExecutionRequest* request,
    wsv1::DeleteWorkflowExecutionResponse* response) {
  return WithNamespace<wsv1::DeleteWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        backends_.history.DeleteWorkflow(ns, request->workflow_execution(), "Delete workflow execution",
                                         [done](absl::StatusOr<bool> deleted) {
                                           if (!deleted.ok()) return done(deleted.status());
                                           done(wsv1::DeleteWorkflowExecutionResponse());
                                         });
      });
}

grpc::ServerUnaryReactor* WorkflowService::GetWorkflowExecutionHistory(
    grpc::CallbackServerContext* context, const wsv1::GetWorkflowExecutionHistoryRequest* request,
    wsv1::GetWorkflowExecutionHistoryResponse* response) {
  absl::Time deadline = LongPollDeadline(context, absl::Hours(1));
  return WithNamespace<wsv1::GetWorkflowExecutionHistoryResponse>(
      context, request->namespace_(), response, [this, request, deadline](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        backends_.history.GetWorkflowHistory(ns, *request, deadline, std::move(done));
      });
}

// --- Workflow Update -------------------------------------------------------------

// How long one call waits for an update's stage before answering with the
// stage reached so far (Temporal's history.longPollExpirationInterval);
// clients call again.
constexpr absl::Duration kUpdateLongPoll = absl::Seconds(20);

grpc::ServerUnaryReactor* WorkflowService::UpdateWorkflowExecution(
    grpc::CallbackServerContext* context, const wsv1::UpdateWorkflowExecutionRequest* request,
    wsv1::UpdateWorkflowExecutionResponse* response) {
  absl::Time deadline = LongPollDeadline(context, kUpdateLongPoll);
  return WithNamespace<wsv1::UpdateWorkflowExecutionResponse>(
      context, request->namespace_(), response, [this, request, deadline](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->workflow_execution()); !s.ok()) {
          return done(s);
        }
        if (request->request().input().name().empty()) {
          return done(errors::InvalidArgument("Update name is not set on request."));
        }
        if (request->wait_policy().lifecycle_stage() ==
            temporal::api::enums::v1::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED) {
          return done(errors::InvalidArgument("WaitPolicy.LifecycleStage ADMITTED is not supported."));
        }
        if (request->request().meta().update_id().size() > kMaxIdLength) {
          return done(errors::InvalidArgument("UpdateId length exceeds limit."));
        }
        if (absl::Status s = CheckBlobSize(request->request().input().args()); !s.ok()) return done(s);
        wsv1::UpdateWorkflowExecutionRequest filled = *request;
        if (filled.request().meta().update_id().empty()) {
          filled.mutable_request()->mutable_meta()->set_update_id(backends_.random.NewUuid());
        }
        backends_.history.UpdateWorkflow(ns, std::move(filled), deadline, std::move(done));
      });
}

// Update-with-Start: [StartWorkflow, UpdateWorkflow] on one workflow id. The
// start goes first (its conflict policy decides whether a running workflow
// is used), then the update on the run it names.
grpc::ServerUnaryReactor* WorkflowService::ExecuteMultiOperation(
    grpc::CallbackServerContext* context, const wsv1::ExecuteMultiOperationRequest* request,
    wsv1::ExecuteMultiOperationResponse* response) {
  absl::Time deadline = LongPollDeadline(context, kUpdateLongPoll);
  return WithNamespace<wsv1::ExecuteMultiOperationResponse>(
      context, request->namespace_(), response, [this, request, deadline](const NamespaceRef& ns, auto done) {
        const auto& ops = request->operations();
        if (ops.size() != 2 || !ops[0].has_start_workflow() || !ops[1].has_update_workflow()) {
          return done(errors::InvalidArgument("Operations must be exactly [StartWorkflow, UpdateWorkflow]."));
        }
        wsv1::StartWorkflowExecutionRequest start = ops[0].start_workflow();
        wsv1::UpdateWorkflowExecutionRequest update = ops[1].update_workflow();
        absl::Status invalid = ValidateStart(start);
        if (invalid.ok() && (!start.cron_schedule().empty() || start.has_workflow_start_delay())) {
          invalid = errors::InvalidArgument("CronSchedule and WorkflowStartDelay are not allowed with Update-with-Start.");
        }
        if (invalid.ok() && start.workflow_id_conflict_policy() ==
                                temporal::api::enums::v1::WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED) {
          invalid = errors::InvalidArgument("Update-with-Start needs a WorkflowIdConflictPolicy.");
        }
        if (invalid.ok()) {
          invalid = visibility::ValidateAndStamp(*start.mutable_search_attributes(), *ns.search_attributes);
        }
        if (!invalid.ok()) return done(errors::MultiOperationFailed({invalid, absl::OkStatus()}));
        if (update.workflow_execution().workflow_id() != start.workflow_id() ||
            !update.workflow_execution().run_id().empty() || !update.first_execution_run_id().empty()) {
          return done(errors::MultiOperationFailed(
              {absl::OkStatus(), errors::InvalidArgument("The update must name the started workflow id and no run.")}));
        }
        if (update.request().meta().update_id().empty()) {
          update.mutable_request()->mutable_meta()->set_update_id(backends_.random.NewUuid());
        }
        backends_.history.StartWorkflow(
            ns, std::move(start),
            [this, ns, update, deadline, done](absl::StatusOr<wsv1::StartWorkflowExecutionResponse> started) mutable {
              if (!started.ok()) return done(errors::MultiOperationFailed({started.status(), absl::OkStatus()}));
              update.mutable_workflow_execution()->set_run_id(started->run_id());
              backends_.history.UpdateWorkflow(
                  ns, std::move(update), deadline,
                  [started = *started, done](absl::StatusOr<wsv1::UpdateWorkflowExecutionResponse> updated) {
                    if (!updated.ok()) return done(errors::MultiOperationFailed({absl::OkStatus(), updated.status()}));
                    wsv1::ExecuteMultiOperationResponse response;
                    *response.add_responses()->mutable_start_workflow() = started;
                    *response.add_responses()->mutable_update_workflow() = *updated;
                    done(std::move(response));
                  });
            });
      });
}

grpc::ServerUnaryReactor* WorkflowService::PollWorkflowExecutionUpdate(
    grpc::CallbackServerContext* context, const wsv1::PollWorkflowExecutionUpdateRequest* request,
    wsv1::PollWorkflowExecutionUpdateResponse* response) {
  absl::Time deadline = LongPollDeadline(context, kUpdateLongPoll);
  return WithNamespace<wsv1::PollWorkflowExecutionUpdateResponse>(
      context, request->namespace_(), response, [this, request, deadline](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->update_ref().workflow_execution());
            !s.ok()) {
          return done(s);
        }
        if (request->update_ref().update_id().empty()) return done(errors::InvalidArgument("UpdateId is not set."));
        backends_.history.PollWorkflowUpdate(ns, *request, deadline, std::move(done));
      });
}

// --- Queries -------------------------------------------------------------------
//
// A query is never persisted. QueryWorkflow registers it, puts a query task
// on the workflow's task queue and waits; the worker that polls it replays
// the history and answers with RespondQueryTaskCompleted.

grpc::ServerUnaryReactor* WorkflowService::QueryWorkflow(grpc::CallbackServerContext* context,
                                                         const wsv1::QueryWorkflowRequest* request,
                                                         wsv1::QueryWorkflowResponse* response) {
  absl::Time deadline = LongPollDeadline(context, absl::Minutes(10));
  return WithNamespace<wsv1::QueryWorkflowResponse>(
      context, request->namespace_(), response, [this, request, deadline](const NamespaceRef& ns, auto done) {
        if (absl::Status s = ValidateExecution(request->execution()); !s.ok()) return done(s);
        if (request->query().query_type().empty()) {
          return done(errors::InvalidArgument("QueryType is not set on request."));
        }
        backends_.history.PrepareQuery(
            ns, *request, deadline,
            [this, ns, request, deadline, done](absl::StatusOr<history::HistoryClient::QueryTarget> target) {
              if (!target.ok()) return done(target.status());
              if (target->rejected) {
                wsv1::QueryWorkflowResponse rejected;
                *rejected.mutable_query_rejected() = *target->rejected;
                return done(std::move(rejected));
              }
              DispatchQuery(ns, *request, *target, deadline, done);
            });
      });
}

void WorkflowService::DispatchQuery(const NamespaceRef& ns, const wsv1::QueryWorkflowRequest& request,
                                    const history::HistoryClient::QueryTarget& target, absl::Time deadline,
                                    history::Done<wsv1::QueryWorkflowResponse> done) {
  history::TransferTask task;
  task.set_kind(history::TransferTask::WORKFLOW_TASK);
  task.set_namespace_id(ns.id);
  task.set_workflow_id(request.execution().workflow_id());
  task.set_run_id(target.run_id);
  *task.mutable_task_queue() = target.task_queue;
  task.set_query_id(backends_.random.NewUuid());
  backends_.matching.QueryWorkflow(
      task, request.query(), deadline, [done](absl::StatusOr<wsv1::RespondQueryTaskCompletedRequest> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->completed_type() == temporal::api::enums::v1::QUERY_RESULT_TYPE_FAILED) {
          return done(errors::QueryFailed(answer->error_message(), answer->failure()));
        }
        wsv1::QueryWorkflowResponse r;
        *r.mutable_query_result() = answer->query_result();
        done(std::move(r));
      });
}

void WorkflowService::DeliverQueryTask(std::shared_ptr<PollState<wsv1::PollWorkflowTaskQueueResponse>> poll,
                                       const history::TransferTask& task,
                                       const temporal::api::query::v1::WorkflowQuery& query) {
  blocking_pool_.Post([this, poll, task, query] {
    absl::StatusOr<wsv1::PollWorkflowTaskQueueResponse> response = backends_.history.QueryTaskResponse(task, query);
    if (!response.ok()) {
      // The query's caller hears why no worker could answer it.
      wsv1::RespondQueryTaskCompletedRequest failed;
      failed.set_completed_type(temporal::api::enums::v1::QUERY_RESULT_TYPE_FAILED);
      failed.set_error_message(std::string(response.status().message()));
      backends_.matching.RespondQueryTask(poll->queue, task.query_id(), std::move(failed), [](absl::Status) {});
      return PollForTask(poll);
    }
    *poll->response = *std::move(response);
    poll->reactor->Finish(grpc::Status::OK);
  });
}

grpc::ServerUnaryReactor* WorkflowService::RespondQueryTaskCompleted(
    grpc::CallbackServerContext* context, const wsv1::RespondQueryTaskCompletedRequest* request,
    wsv1::RespondQueryTaskCompletedResponse* response) {
  return WithNamespace<wsv1::RespondQueryTaskCompletedResponse>(
      context, request->namespace_(), response, [this, request](const NamespaceRef& ns, auto done) {
        absl::StatusOr<TaskToken> token = ParseToken(request->task_token(), ns);
        if (!token.ok()) return done(token.status());
        if (token->query_id().empty()) return done(errors::InvalidArgument("Error deserializing task token."));
        matching::TaskQueueKey queue{ns.id, token->query_task_queue(), history::TransferTask::WORKFLOW_TASK};
        backends_.matching.RespondQueryTask(queue, token->query_id(), *request, [done](absl::Status answered) {
          if (!answered.ok()) return done(answered);
          done(wsv1::RespondQueryTaskCompletedResponse());
        });
      });
}

}  // namespace zaman::frontend
