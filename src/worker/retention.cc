#include "worker/retention.h"

#include <spdlog/spdlog.h>

#include "absl/synchronization/blocking_counter.h"
#include "absl/strings/str_cat.h"
#include "visibility/query.h"

namespace zaman::worker {
namespace {

constexpr int kPageSize = 500;
// A sweep deletes at most this many runs per namespace; the next sweep
// goes on where it stopped.
constexpr int64_t kMaxDeletionsPerNamespace = 10000;

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace

RetentionScanner::RetentionScanner(persistence::NamespaceStore& namespaces, persistence::VisibilityStore& visibility,
                                   history::HistoryClient& history, Clock& clock, TimerService& timers,
                                   ThreadPool& pool, absl::Duration interval)
    : namespaces_(namespaces),
      visibility_(visibility),
      history_(history),
      clock_(clock),
      timers_(timers),
      pool_(pool),
      interval_(interval) {}

RetentionScanner::~RetentionScanner() { Stop(); }

void RetentionScanner::Start() {
  absl::MutexLock lock(&mu_);
  stopped_ = false;
  timer_ = timers_.Schedule(clock_.Now() + interval_, [this] { pool_.Post([this] { ScheduleNext(); }); });
}

void RetentionScanner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    timers_.Cancel(timer_);
  }
  absl::MutexLock wait_for_sweep(&sweep_mu_);
}

void RetentionScanner::ScheduleNext() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
  }
  int64_t deleted = Sweep();
  if (deleted > 0) spdlog::info("retention: deleted {} closed runs", deleted);
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  timer_ = timers_.Schedule(clock_.Now() + interval_, [this] { pool_.Post([this] { ScheduleNext(); }); });
}

int64_t RetentionScanner::Sweep() {
  absl::MutexLock one_at_a_time(&sweep_mu_);
  int64_t deleted = 0;
  std::string namespaces_token;
  do {
    absl::StatusOr<persistence::NamespacePage> page = namespaces_.ListNamespaces(100, namespaces_token);
    if (!page.ok()) {
      spdlog::warn("retention: listing namespaces: {}", page.status().ToString());
      return deleted;
    }
    for (const persistence::StoredNamespace& ns : page->namespaces) {
      const absl::Duration retention = FromProto(ns.record.config().workflow_execution_retention_ttl());
      if (retention <= absl::ZeroDuration()) continue;
      const std::string filter = absl::StrCat(
          "CloseTime < '", absl::FormatTime(absl::RFC3339_full, clock_.Now() - retention, absl::UTCTimeZone()), "'");
      absl::StatusOr<visibility::Query> query = visibility::ParseQuery(filter, {});
      if (!query.ok()) {
        spdlog::error("retention: {}: {}", filter, query.status().ToString());
        continue;
      }
      history::NamespaceRef ref;
      ref.id = ns.record.info().id();
      ref.name = ns.record.info().name();
      // Keyset pages stay valid while the rows behind them are deleted.
      int64_t budget = kMaxDeletionsPerNamespace;
      std::string token;
      while (budget > 0) {
        absl::StatusOr<persistence::VisibilityPage> runs =
            visibility_.List(ref.id, *query, filter, static_cast<int>(std::min<int64_t>(kPageSize, budget)), token);
        if (!runs.ok()) {
          spdlog::warn("retention: listing closed runs of {}: {}", ref.name, runs.status().ToString());
          break;
        }
        if (runs->executions.empty()) break;
        absl::BlockingCounter pending(static_cast<int>(runs->executions.size()));
        std::atomic<int64_t> done_now{0};
        for (const auto& info : runs->executions) {
          history_.DeleteWorkflow(ref, info.execution(), "retention", [&](absl::StatusOr<bool> result) {
            // NotFound: deleted already; its visibility row goes shortly.
            if (result.ok() || result.status().code() == absl::StatusCode::kNotFound) {
              done_now.fetch_add(1);
            } else {
              spdlog::warn("retention: deleting {}: {}", info.execution().workflow_id(),
                           result.status().ToString());
            }
            pending.DecrementCount();
          });
        }
        pending.Wait();
        deleted += done_now.load();
        budget -= static_cast<int64_t>(runs->executions.size());
        token = runs->next_page_token;
        if (token.empty()) break;
      }
    }
    namespaces_token = page->next_page_token;
  } while (!namespaces_token.empty());
  return deleted;
}

}  // namespace zaman::worker
