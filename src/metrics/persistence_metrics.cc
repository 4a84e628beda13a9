#include "metrics/families.h"

namespace zaman::metrics {
namespace {

prometheus::Labels LabelsOf(Service service, const std::string& operation) {
  return {{"operation", operation}, {"service_name", ServiceName(service)}};
}

}  // namespace

StoreOperationMetrics::StoreOperationMetrics(Service service, std::string operation)
    : service_(service),
      operation_(std::move(operation)),
      requests_(internal::CounterFamily("persistence_requests", "Store calls.").Add(LabelsOf(service, operation_))),
      errors_(internal::CounterFamily("persistence_errors", "Store calls that failed.")
                  .Add(LabelsOf(service, operation_))),
      latency_(internal::HistogramFamily("persistence_latency", "Time a store call took, in seconds.")
                   .Add(LabelsOf(service, operation_), SecondsBuckets())) {}

void StoreOperationMetrics::Observe(absl::Duration took, absl::StatusCode code) {
  requests_.Increment();
  latency_.Observe(Seconds(took));
  // NotFound, a failed condition (Aborted) or a conflict are answers, not failures of the store.
  if (code == absl::StatusCode::kOk || code == absl::StatusCode::kNotFound) return;
  if (code == absl::StatusCode::kAborted || code == absl::StatusCode::kFailedPrecondition ||
      code == absl::StatusCode::kAlreadyExists) {
    return;
  }
  errors_.Increment();
  prometheus::Labels labels = LabelsOf(service_, operation_);
  labels.emplace("error_type", std::string(absl::StatusCodeToString(code)));
  internal::CounterFamily("persistence_error_with_type", "Failed store calls by error type.").Add(labels).Increment();
}

SqliteWriteMetrics& SqliteWriteMetrics::Get() {
  static auto* metrics = new SqliteWriteMetrics;
  return *metrics;
}

SqliteWriteMetrics::SqliteWriteMetrics()
    : transactions_(internal::CounterFamily("persistence_sqlite_transactions", "Write transactions the SQLite store committed.")
                        .Add({{"service_name", "history"}})),
      writes_(internal::CounterFamily("persistence_sqlite_writes", "Writes the SQLite store committed (a transaction holds one or more).")
                  .Add({{"service_name", "history"}})),
      rows_(internal::CounterFamily("persistence_sqlite_rows_written", "Rows the SQLite store inserted, updated or deleted.")
                .Add({{"service_name", "history"}})) {}

void SqliteWriteMetrics::Committed(size_t writes, int64_t rows) {
  if (!Enabled()) return;
  transactions_.Increment();
  writes_.Increment(static_cast<double>(writes));
  rows_.Increment(static_cast<double>(rows));
}

}  // namespace zaman::metrics
