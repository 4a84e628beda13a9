#include "absl/strings/match.h"
#include "metrics/families.h"

namespace zaman::metrics {
namespace {

using internal::CounterFamily;

constexpr char kUnknownNamespace[] = "_unknown_";

// How Temporal's frontend counts a failed request: every error by its type
// (service_error_with_type); the expected ones also under their kind
// (service_errors_<kind>); the rest are failures against the SLA
// (service_errors).
struct ErrorClass {
  const char* kind_counter;  // null: none
  const char* error_type;
  bool failure;
};

ErrorClass Classify(absl::StatusCode code, bool namespace_operation) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return {"service_errors_invalid_argument", "serviceerror.InvalidArgument", false};
    case absl::StatusCode::kNotFound:
      return {"service_errors_entity_not_found", "serviceerror.NotFound", false};
    case absl::StatusCode::kAlreadyExists:
      return namespace_operation
                 ? ErrorClass{"service_errors_namespace_already_exists", "serviceerror.NamespaceAlreadyExists", false}
                 : ErrorClass{"service_errors_execution_already_started",
                              "serviceerror.WorkflowExecutionAlreadyStarted", false};
    case absl::StatusCode::kResourceExhausted:
      return {"service_errors_resource_exhausted", "serviceerror.ResourceExhausted", false};
    case absl::StatusCode::kDeadlineExceeded:
      return {"service_errors_context_timeout", "context.DeadlineExceeded", false};
    case absl::StatusCode::kCancelled:
      return {"service_errors_context_cancelled", "context.Canceled", false};
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return {"service_errors_unauthorized", "serviceerror.PermissionDenied", false};
    case absl::StatusCode::kFailedPrecondition:
      return {nullptr, "serviceerror.FailedPrecondition", false};
    case absl::StatusCode::kUnimplemented:
      return {nullptr, "serviceerror.Unimplemented", false};
    case absl::StatusCode::kUnavailable:
      return {nullptr, "serviceerror.Unavailable", true};
    case absl::StatusCode::kDataLoss:
      return {nullptr, "serviceerror.DataLoss", true};
    default:
      return {nullptr, "serviceerror.Internal", true};
  }
}

}  // namespace

OperationMetrics::OperationMetrics(Service service, std::string operation)
    : service_(service),
      operation_(std::move(operation)),
      namespace_operation_(absl::StrContains(operation_, "Namespace")),
      by_namespace_([this](absl::string_view ns) {
        std::string name = ns.empty() ? kUnknownNamespace : std::string(ns);
        prometheus::Labels labels{{"operation", operation_}, {"namespace", name}, {"service_name", ServiceName(service_)}};
        return std::unique_ptr<Series>(new Series{
            CounterFamily("service_requests", "Requests received by the service.").Add(labels),
            CounterFamily("service_errors", "Requests that failed against the SLA (unexpected errors).").Add(labels),
            internal::HistogramFamily("service_latency", "Time to answer a request, in seconds.")
                .Add(labels, SecondsBuckets()),
            internal::GaugeFamily("service_pending_requests", "Requests being answered.").Add(labels),
            std::move(name)});
      }) {}

void OperationMetrics::CountError(Series& series, absl::StatusCode code) {
  if (!Enabled() || code == absl::StatusCode::kOk) return;
  ErrorClass error = Classify(code, namespace_operation_);
  prometheus::Labels labels{
      {"operation", operation_}, {"namespace", series.namespace_name}, {"service_name", ServiceName(service_)}};
  if (error.failure) series.errors.Increment();
  if (error.kind_counter != nullptr) {
    CounterFamily(error.kind_counter, "Requests that failed with this expected kind of error.").Add(labels).Increment();
  }
  labels.emplace("error_type", error.error_type);
  CounterFamily("service_error_with_type", "Failed requests by error type.").Add(labels).Increment();
}

RequestTimer::RequestTimer(OperationMetrics& operation, absl::string_view namespace_name)
    : RequestTimer(operation, Enabled() ? &operation.For(namespace_name) : nullptr) {}

RequestTimer::RequestTimer(OperationMetrics& operation, OperationMetrics::Series& series)
    : RequestTimer(operation, &series) {}

RequestTimer::RequestTimer(OperationMetrics& operation, OperationMetrics::Series* series) {
  if (!Enabled() || series == nullptr) return;
  operation_ = &operation;
  series_ = series;
  started_ = absl::Now();
  series_->requests.Increment();
  series_->pending.Increment();
}

void RequestTimer::Finish(absl::StatusCode code) {
  if (operation_ == nullptr) return;
  series_->latency.Observe(Seconds(absl::Now() - started_));
  series_->pending.Decrement();
  operation_->CountError(*series_, code);
  operation_ = nullptr;
}

}  // namespace zaman::metrics
