#pragma once

// Prometheus metrics under Temporal's names, types and labels, so that
// Temporal's dashboards and users' alerts work against Zaman unchanged
// (docs/monitoring.md lists every series). One registry per process; an
// Endpoint serves it on /metrics.
//
// Instrumented code holds pre-bound series: the label children are looked
// up once (per operation at start-up, per namespace or task queue on first
// use), so that counting is an atomic add and never builds a string.
// Nothing is counted unless metrics are enabled (an endpoint is configured).

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace zaman::metrics {

using prometheus::Counter;
using prometheus::Gauge;
using prometheus::Histogram;

// --- registry (registry.cc) -------------------------------------------------

namespace internal {
inline std::atomic<bool> enabled{false};
}  // namespace internal
inline bool Enabled() { return internal::enabled.load(std::memory_order_relaxed); }
// Set once at start-up, before the roles start.
void SetEnabled(bool enabled);

// The process's registry: every role of the process reports into it.
prometheus::Registry& Registry();

// Temporal's `service_name` label values.
enum class Service { kFrontend, kHistory, kMatching, kWorker };
const std::string& ServiceName(Service service);

// Temporal's histogram buckets: seconds, bytes, counts.
const Histogram::BucketBoundaries& SecondsBuckets();
const Histogram::BucketBoundaries& BytesBuckets();
const Histogram::BucketBoundaries& CountBuckets();

inline double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Namespace names for series whose code knows only the namespace id
// (history, matching). The frontend records each name it resolves.
void RememberNamespace(absl::string_view id, absl::string_view name);
// The name, or the id itself while the name is unknown.
std::string NamespaceName(absl::string_view id);

// Series keyed by one string, made on first use. Look-ups take a reader
// lock; only the first use of a key takes the writer lock.
template <typename T>
class SeriesCache {
 public:
  explicit SeriesCache(std::function<std::unique_ptr<T>(absl::string_view key)> make) : make_(std::move(make)) {}

  T& For(absl::string_view key) {
    {
      absl::ReaderMutexLock lock(&mu_);
      if (auto it = series_.find(key); it != series_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = series_.try_emplace(std::string(key));
    if (inserted) it->second = make_(key);
    return *it->second;
  }

 private:
  const std::function<std::unique_ptr<T>(absl::string_view)> make_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<T>> series_ ABSL_GUARDED_BY(mu_);
};

// `restarts{service_name}`: once per role when the process starts it.
void CountRestart(Service service);

// --- service_* (service_metrics.cc) ----------------------------------------

// The RPC series of one operation of one role: service_requests,
// service_errors (failures against the SLA), service_errors_<kind> and
// service_error_with_type (expected errors), service_latency,
// service_pending_requests; labelled operation, namespace, service_name.
class OperationMetrics {
 public:
  struct Series {
    Counter& requests;
    Counter& errors;
    Histogram& latency;
    Gauge& pending;
    const std::string namespace_name;
  };

  OperationMetrics(Service service, std::string operation);

  // "" is Temporal's "_unknown_" namespace.
  Series& For(absl::string_view namespace_name) { return by_namespace_.For(namespace_name); }

  // A request ended with `code`.
  void CountError(Series& series, absl::StatusCode code);

  const std::string& operation() const { return operation_; }

 private:
  const Service service_;
  const std::string operation_;
  const bool namespace_operation_;  // AlreadyExists means the namespace exists
  SeriesCache<Series> by_namespace_;
};

// Times one request of an operation: counts it and its pending state now,
// its latency (and error, if any) when Finish runs or the timer goes.
class RequestTimer {
 public:
  RequestTimer(OperationMetrics& operation, absl::string_view namespace_name);
  // With the series already looked up (`operation.For(namespace)`).
  RequestTimer(OperationMetrics& operation, OperationMetrics::Series& series);
  ~RequestTimer() { Finish(absl::StatusCode::kOk); }
  RequestTimer(const RequestTimer&) = delete;
  RequestTimer& operator=(const RequestTimer&) = delete;

  void Finish(absl::StatusCode code);

 private:
  RequestTimer(OperationMetrics& operation, OperationMetrics::Series* series);

  OperationMetrics* operation_ = nullptr;  // null: not counting
  OperationMetrics::Series* series_ = nullptr;
  absl::Time started_;
};

// --- persistence_* (persistence_metrics.cc) ---------------------------------

// One store operation: persistence_requests, persistence_errors,
// persistence_error_with_type, persistence_latency; labelled operation and
// service_name (the role that calls the store).
class StoreOperationMetrics {
 public:
  StoreOperationMetrics(Service service, std::string operation);

  // Runs `call` and records it.
  template <typename F>
  auto Record(F&& call) -> decltype(call()) {
    if (!Enabled()) return call();
    absl::Time started = absl::Now();
    auto result = call();
    Observe(absl::Now() - started, StatusOf(result));
    return result;
  }

 private:
  static absl::StatusCode StatusOf(const absl::Status& s) { return s.code(); }
  template <typename T>
  static absl::StatusCode StatusOf(const absl::StatusOr<T>& s) {
    return s.status().code();
  }
  void Observe(absl::Duration took, absl::StatusCode code);

  const Service service_;
  const std::string operation_;
  Counter& requests_;
  Counter& errors_;
  Histogram& latency_;
};

// --- matching (matching_metrics.cc) ------------------------------------------

// The series of one task queue: poll_success, poll_success_sync,
// poll_timeouts, syncmatch_latency, asyncmatch_latency,
// task_schedule_to_start_latency, approximate_backlog_count; labelled
// namespace, taskqueue (sticky queues as Temporal's "__sticky__"),
// task_type (Workflow, Activity), operation and service_name="matching".
class TaskQueueMetrics {
 public:
  TaskQueueMetrics(const std::string& namespace_id, const std::string& task_queue, bool sticky, bool activity);

  // A poll got a task: at once from a waiting producer (sync match) or from
  // the backlog, where it waited `waited`.
  void TaskMatched(bool sync, absl::Duration waited);
  void PollTimedOut();
  void BacklogIs(size_t tasks);

 private:
  explicit TaskQueueMetrics(const prometheus::Labels& labels);

  Counter& poll_success_;
  Counter& poll_success_sync_;
  Counter& poll_timeouts_;
  Histogram& syncmatch_latency_;
  Histogram& asyncmatch_latency_;
  Histogram& schedule_to_start_;
  Gauge& backlog_;
};

// --- history (history_metrics.cc) -------------------------------------------

// How runs closed, per namespace: workflow_success, _failed, _timeout,
// _terminate, _cancel, _continued_as_new (operation="CompletionStats"), and
// their history_size (bytes) and history_count (events)
// (operation="ExecutionStats").
class WorkflowOutcomeMetrics {
 public:
  enum class Outcome { kSuccess, kFailed, kTimeout, kTerminate, kCancel, kContinuedAsNew };

  explicit WorkflowOutcomeMetrics(const std::string& namespace_name);
  static WorkflowOutcomeMetrics& ForNamespaceId(absl::string_view namespace_id);

  void Closed(Outcome outcome, int64_t history_bytes, int64_t history_events);

 private:
  Counter* outcomes_[6];
  Histogram& history_size_;
  Histogram& history_count_;
};

// One kind of outbox or timer task: task_requests, task_errors, task_latency
// (labelled operation, e.g. TransferActiveTaskActivityTask, and
// service_name="history").
class TaskMetrics {
 public:
  explicit TaskMetrics(std::string operation);

  void Processed(absl::Duration took) const;
  void Failed() const;

 private:
  Counter& requests_;
  Counter& errors_;
  Histogram& latency_;
};

// The history role's shards and their group commit. Series of Temporal
// (numshards_gauge, sharditem_created_count, sharditem_removed_count,
// shard_closed_count, membership_changed_count) and Zaman's own
// (zaman_shard_commit_batch_size, zaman_shard_commit_latency,
// zaman_timers_armed).
class ShardMetrics {
 public:
  static ShardMetrics& Get();

  void ShardsOwned(int shards);
  void ShardAcquired();
  void ShardReleased();
  void MembershipChanged();
  // One store transaction of `mutations` mutations that took `took`.
  void Committed(size_t mutations, absl::Duration took);
  void TimerArmed();
  void TimerFired();

 private:
  ShardMetrics();

  Gauge& num_shards_;
  Counter& created_;
  Counter& removed_;
  Counter& closed_;
  Counter& membership_changed_;
  Histogram& batch_size_;
  Histogram& commit_latency_;
  Gauge& timers_armed_;
};

// --- persistence_sqlite_* (persistence_metrics.cc) ----------------------------

// What the SQLite store writes (no Temporal counterpart): the transactions
// it committed (persistence_sqlite_transactions), the writes they held
// (persistence_sqlite_writes: a group commit holds several) and the rows
// they inserted, updated or deleted (persistence_sqlite_rows_written).
class SqliteWriteMetrics {
 public:
  static SqliteWriteMetrics& Get();
  void Committed(size_t writes, int64_t rows);

 private:
  SqliteWriteMetrics();

  Counter& transactions_;
  Counter& writes_;
  Counter& rows_;
};

// --- endpoint (endpoint.cc) ---------------------------------------------------

// Serves the registry, and the process's CPU, memory, threads and file
// descriptors, as Prometheus text on http://<listen_address>/metrics.
class Endpoint {
 public:
  // `listen_address` is host:port (port 0: any free one).
  static absl::StatusOr<std::unique_ptr<Endpoint>> Start(const std::string& listen_address);
  ~Endpoint();

  int port() const { return port_; }

 private:
  struct Impl;
  explicit Endpoint(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace zaman::metrics
