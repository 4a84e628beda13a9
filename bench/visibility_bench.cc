// Visibility at scale: list and count latencies over a SQLite store holding
// one million workflow runs (issue: "each typical query under 100 ms").
//
//   build/bin/visibility_bench [--runs=N] [--db=PATH] [google benchmark flags]
//
// The store is made once at PATH (default build/bench-visibility.db) and
// reused while it holds N runs; delete the file to make it again. Every
// query goes through the same parser and SQL translation the frontend uses.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "bench_flags.h"
#include "absl/time/time.h"
#include "persistence/store.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "visibility/query.h"
#include "visibility/search_attributes.h"

namespace {

namespace enums = ::temporal::api::enums::v1;
using google::protobuf::util::TimeUtil;
using zaman::persistence::VisibilityRecord;
using zaman::visibility::SearchAttributeTypes;

constexpr char kNamespace[] = "bench-ns";
constexpr int kTypes = 20;
constexpr int kCustomers = 100000;
constexpr int kDays = 30;
const absl::Time kEpoch = absl::FromCivil(absl::CivilSecond(2026, 10, 1, 0, 0, 0), absl::UTCTimeZone());

const SearchAttributeTypes kCustom = {
    {"CustomerId", enums::INDEXED_VALUE_TYPE_KEYWORD},
    {"Amount", enums::INDEXED_VALUE_TYPE_INT},
};

zaman::persistence::Store* g_store = nullptr;

// Run i's shape: a type of 20, a customer of 100,000, a start time spread
// over 30 days; 10% running, 75% completed, 10% failed, the rest timed out
// or terminated. Deterministic, so every run of the bench sees the same data.
VisibilityRecord MakeRecord(int64_t i, std::mt19937_64& rng) {
  VisibilityRecord r;
  r.set_namespace_id(kNamespace);
  r.set_version(1);
  auto* info = r.mutable_info();
  info->mutable_execution()->set_workflow_id(absl::StrCat("order-", i));
  info->mutable_execution()->set_run_id(absl::StrCat("run-", i, "-", rng()));
  info->mutable_type()->set_name(absl::StrCat("Type", rng() % kTypes));
  info->set_task_queue("bench");
  const absl::Time start = kEpoch + absl::Seconds(static_cast<int64_t>(rng() % (kDays * 86400)));
  *info->mutable_start_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(start));
  *info->mutable_execution_time() = info->start_time();
  const int pick = static_cast<int>(rng() % 100);
  enums::WorkflowExecutionStatus status = pick < 10   ? enums::WORKFLOW_EXECUTION_STATUS_RUNNING
                                          : pick < 85 ? enums::WORKFLOW_EXECUTION_STATUS_COMPLETED
                                          : pick < 95 ? enums::WORKFLOW_EXECUTION_STATUS_FAILED
                                          : pick < 98 ? enums::WORKFLOW_EXECUTION_STATUS_TIMED_OUT
                                                      : enums::WORKFLOW_EXECUTION_STATUS_TERMINATED;
  info->set_status(status);
  if (status != enums::WORKFLOW_EXECUTION_STATUS_RUNNING) {
    const absl::Duration took = absl::Seconds(static_cast<int64_t>(1 + rng() % 3600));
    *info->mutable_close_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(start + took));
    *info->mutable_execution_duration() = TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(took));
  }
  info->set_history_length(static_cast<int64_t>(5 + rng() % 40));
  auto& fields = *info->mutable_search_attributes()->mutable_indexed_fields();
  fields["CustomerId"] = zaman::visibility::JsonPayload(absl::StrCat("\"cust-", rng() % kCustomers, "\""));
  fields["Amount"] = zaman::visibility::JsonPayload(absl::StrCat(rng() % 10000));
  if (!zaman::visibility::ValidateAndStamp(*info->mutable_search_attributes(), kCustom).ok()) std::abort();
  return r;
}

// Fills the store up to `runs` rows, in batches of one transaction each.
void Populate(zaman::persistence::Store& store, int64_t runs) {
  zaman::visibility::Query all;
  absl::StatusOr<zaman::persistence::VisibilityCount> have = store.visibility().Count(kNamespace, all);
  if (have.ok() && have->count == runs) {
    std::fprintf(stderr, "store already holds %lld runs\n", static_cast<long long>(runs));
    return;
  }
  if (have.ok() && have->count != 0) {
    std::fprintf(stderr, "store holds %lld runs, not %lld: delete it first\n", static_cast<long long>(have->count),
                 static_cast<long long>(runs));
    std::exit(2);
  }
  std::mt19937_64 rng(42);
  const absl::Time began = absl::Now();
  constexpr int kBatch = 10000;
  for (int64_t done = 0; done < runs;) {
    std::vector<VisibilityRecord> batch;
    for (int k = 0; k < kBatch && done < runs; ++k, ++done) batch.push_back(MakeRecord(done, rng));
    if (absl::Status s = store.visibility().UpsertMany(batch); !s.ok()) {
      std::fprintf(stderr, "populate: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    if (done % 100000 == 0) std::fprintf(stderr, "  %lld runs written\n", static_cast<long long>(done));
  }
  std::fprintf(stderr, "populated %lld runs in %.1f s\n", static_cast<long long>(runs),
               absl::ToDoubleSeconds(absl::Now() - began));
}

zaman::visibility::Query Parse(const std::string& text) {
  absl::StatusOr<zaman::visibility::Query> q = zaman::visibility::ParseQuery(text, kCustom);
  if (!q.ok()) {
    std::fprintf(stderr, "%s: %s\n", text.c_str(), q.status().ToString().c_str());
    std::abort();
  }
  return *std::move(q);
}

// The first page (100 rows, as the CLI asks) of the runs `text` matches,
// parse included. Reports the rows, so a query that matched nothing shows.
void BM_List(benchmark::State& state, const std::string& text, int page_size) {
  size_t rows = 0;
  for (auto _ : state) {
    zaman::visibility::Query query = Parse(text);
    absl::StatusOr<zaman::persistence::VisibilityPage> page =
        g_store->visibility().List(kNamespace, query, text, page_size, "");
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      return;
    }
    rows = page->executions.size();
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_Count(benchmark::State& state, const std::string& text) {
  int64_t count = 0;
  for (auto _ : state) {
    zaman::visibility::Query query = Parse(text);
    absl::StatusOr<zaman::persistence::VisibilityCount> c = g_store->visibility().Count(kNamespace, query);
    if (!c.ok()) {
      state.SkipWithError(c.status().ToString().c_str());
      return;
    }
    count = c->count;
  }
  state.counters["count"] = static_cast<double>(count);
}

void RegisterQueries() {
  struct ListCase {
    const char* name;
    std::string query;
  };
  const std::vector<ListCase> lists = {
      {"List/default_order", ""},
      {"List/type+status+time_range",
       "WorkflowType = 'Type7' AND ExecutionStatus = 'Failed' AND "
       "StartTime BETWEEN '2026-10-10T00:00:00Z' AND '2026-10-17T00:00:00Z'"},
      {"List/status_running", "ExecutionStatus = 'Running'"},
      {"List/failed_since_yesterday",
       "ExecutionStatus = 'Failed' AND CloseTime > '2026-10-29T00:00:00Z' ORDER BY CloseTime DESC"},
      {"List/custom_keyword", "CustomerId = 'cust-4242'"},
      {"List/custom_keyword+status", "CustomerId = 'cust-4242' AND ExecutionStatus = 'Completed'"},
      {"List/custom_int_range+type", "Amount BETWEEN 100 AND 110 AND WorkflowType = 'Type3'"},
      {"List/workflow_id", "WorkflowId = 'order-123456'"},
      {"List/workflow_id_prefix", "WorkflowId STARTS_WITH 'order-12345'"},
  };
  for (const ListCase& c : lists) {
    benchmark::RegisterBenchmark(c.name, [q = c.query](benchmark::State& s) { BM_List(s, q, 100); })
        ->Unit(benchmark::kMillisecond);
  }
  const std::vector<ListCase> counts = {
      {"Count/all", ""},
      {"Count/group_by_status", "GROUP BY ExecutionStatus"},
      {"Count/type_group_by_status", "WorkflowType = 'Type7' GROUP BY ExecutionStatus"},
      {"Count/type+status+time_range",
       "WorkflowType = 'Type7' AND ExecutionStatus = 'Failed' AND "
       "StartTime BETWEEN '2026-10-10T00:00:00Z' AND '2026-10-17T00:00:00Z'"},
      {"Count/custom_keyword", "CustomerId = 'cust-4242'"},
  };
  for (const ListCase& c : counts) {
    benchmark::RegisterBenchmark(c.name, [q = c.query](benchmark::State& s) { BM_Count(s, q); })
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t runs = 1000000;
  zaman::persistence::PersistenceConfig config;
  config.sqlite_path = "build/bench-visibility.db";
  config.sql.database = "zaman_bench_visibility";
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    auto flag = [&](const char* name) { return zaman::bench::FlagValue(argv[i], name); };
    if (const char* v = flag("--runs=")) {
      runs = std::atoll(v);
    } else if (const char* v = flag("--db=")) {
      config.sqlite_path = v;
    } else if (const char* v = flag("--store=")) {
      config.driver = v;  // sqlite, postgres, mysql
    } else if (const char* v = flag("--host=")) {
      config.sql.host = v;
    } else if (const char* v = flag("--port=")) {
      config.sql.port = std::atoi(v);
    } else if (const char* v = flag("--user=")) {
      config.sql.user = v;
    } else if (const char* v = flag("--password=")) {
      config.sql.password = v;
    } else if (const char* v = flag("--database=")) {
      config.sql.database = v;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (config.driver != "sqlite") {
    if (absl::Status s = zaman::persistence::SetupStore(config); !s.ok()) {
      std::fprintf(stderr, "db setup: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  absl::StatusOr<std::unique_ptr<zaman::persistence::Store>> store = zaman::persistence::OpenStore(config);
  if (!store.ok()) {
    std::fprintf(stderr, "open the %s store: %s\n", config.driver.c_str(), store.status().ToString().c_str());
    return 1;
  }
  g_store = store->get();
  Populate(**store, runs);
  RegisterQueries();
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
