#include "persistence/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "metrics/metrics.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "visibility/query.h"

namespace zaman::persistence {
namespace {

std::string TempDbPath(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("zaman-sqlite-" + std::to_string(::getpid()) + tag);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return (dir / "zaman.db").string();
}

TEST(SqliteStoreTest, DataSurvivesReopen) {
  std::string path = TempDbPath("reopen");
  {
    auto store = OpenSqliteStore(path);
    ASSERT_TRUE(store.ok()) << store.status();
    NamespaceRecord record;
    record.mutable_info()->set_name("orders");
    record.mutable_info()->set_id("id-1");
    ASSERT_TRUE((*store)->namespaces().CreateNamespace(record).ok());
  }
  auto reopened = OpenSqliteStore(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto stored = (*reopened)->namespaces().GetNamespaceByName("orders");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->record.info().id(), "id-1");
}

TEST(SqliteStoreTest, RefusesASchemaNewerThanItKnows) {
  std::string path = TempDbPath("newer");
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = 999");
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("999"), std::string::npos);
}

TEST(SqliteStoreTest, AFileAtVersionFiveIsUpgradedKeepingItsData) {
  std::string path = TempDbPath("upgrade");
  ASSERT_TRUE(OpenSqliteStore(path).ok());
  {
    // What a v5 file looks like: no cluster tables yet.
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("DROP TABLE cluster_membership");
    db.exec("DROP TABLE task_queues");
    db.exec("DROP TABLE tasks");
    db.exec("UPDATE schema_version SET version = 5");
    db.exec("INSERT INTO jobs (namespace_id, kind, job_id, version, state) VALUES ('ns', 'schedule', 'j', 1, x'00')");
  }
  auto store = OpenSqliteStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->jobs().GetJob("ns", "schedule", "j").ok());
  HostRecord host;
  host.host_id = "h";
  host.role = "history";
  host.expires_at = absl::FromUnixSeconds(100);
  ASSERT_TRUE((*store)->membership().Heartbeat(host).ok());
  EXPECT_EQ((*store)->membership().LiveHosts("history", absl::FromUnixSeconds(1))->size(), 1u);
  EXPECT_EQ((*store)->task_queues().AcquirePartition(PartitionKey{"ns", "q"})->range_id, 1);
  auto version = SqliteSchemaVersion(path);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->first, version->second);
}

TEST(SqliteStoreTest, NotADatabaseIsAnErrorNotACrash) {
  std::string path = TempDbPath("garbage");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not sqlite, just text long enough to have a header page ...", f);
    std::fclose(f);
  }
  auto store = OpenSqliteStore(path);
  EXPECT_FALSE(store.ok());
}

namespace enums = ::temporal::api::enums::v1;

// A run's first commit: its state, its first event and its visibility row.
ShardTransaction StartOf(const std::string& run_id, enums::WorkflowExecutionStatus status) {
  ShardTransaction tx;
  ExecutionUpdate& update = tx.updates.emplace_back();
  update.state.set_namespace_id("ns");
  update.state.set_workflow_id("wf-" + run_id);
  update.state.set_run_id(run_id);
  update.state.set_next_event_id(2);
  update.set_current = true;
  HistoryEvent& event = update.events.emplace_back();
  event.set_event_id(1);
  event.set_event_type(enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  VisibilityRecord& record = tx.visibility.emplace_back();
  record.set_namespace_id("ns");
  record.set_version(2);
  auto* info = record.mutable_info();
  info->mutable_execution()->set_workflow_id("wf-" + run_id);
  info->mutable_execution()->set_run_id(run_id);
  info->mutable_type()->set_name("Order");
  info->set_task_queue("q");
  info->set_status(status);
  return tx;
}

std::vector<std::string> Listed(Store& store, const std::string& text) {
  absl::StatusOr<visibility::Query> query = visibility::ParseQuery(text, {});
  EXPECT_TRUE(query.ok()) << query.status();
  absl::StatusOr<VisibilityPage> page = store.visibility().List("ns", *query, text, 1000, "");
  EXPECT_TRUE(page.ok()) << page.status();
  std::vector<std::string> runs;
  if (page.ok()) {
    for (const auto& info : page->executions) runs.push_back(info.execution().run_id());
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

TEST(SqliteStoreTest, ARunsVisibilityRowIsWrittenInTheCommitOfTheRun) {
  auto store = OpenSqliteStore(TempDbPath("visibility"));
  ASSERT_TRUE(store.ok()) << store.status();
  ExecutionStore& executions = (*store)->executions();
  ASSERT_TRUE(executions.WritesVisibility());
  int64_t range = *executions.AcquireShard(1);

  ASSERT_TRUE(executions.Commit(1, range, StartOf("r1", enums::WORKFLOW_EXECUTION_STATUS_RUNNING)).ok());
  EXPECT_EQ(Listed(**store, "ExecutionStatus = 'Running'"), std::vector<std::string>{"r1"})
      << "listable as soon as the start is acknowledged";

  // A commit that fails its condition writes no visibility either.
  ShardTransaction again = StartOf("r1", enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  again.updates[0].set_current = false;
  again.updates[0].expected_db_version = 7;  // it is at 1
  EXPECT_TRUE(errors::IsConditionFailed(executions.Commit(1, range, again)));
  EXPECT_TRUE(Listed(**store, "ExecutionStatus = 'Completed'").empty());

  // The close updates the row in place; a deletion takes it away.
  ShardTransaction close = StartOf("r1", enums::WORKFLOW_EXECUTION_STATUS_COMPLETED);
  close.updates[0].set_current = false;
  close.updates[0].expected_db_version = 1;
  close.updates[0].events[0].set_event_id(2);
  close.updates[0].state.set_next_event_id(3);
  close.visibility[0].set_version(3);
  ASSERT_TRUE(executions.Commit(1, range, close).ok());
  EXPECT_EQ(Listed(**store, "ExecutionStatus = 'Completed'"), std::vector<std::string>{"r1"});
  EXPECT_TRUE(Listed(**store, "ExecutionStatus = 'Running'").empty());
  ShardTransaction forget;
  forget.deletions.push_back({"ns", "wf-r1", "r1", 2});
  ASSERT_TRUE(executions.Commit(1, range, forget).ok());
  EXPECT_TRUE(Listed(**store, "").empty());
}

// The sum of a counter's samples in the metrics registry.
double CounterTotal(const std::string& name) {
  std::string text = prometheus::TextSerializer().Serialize(metrics::Registry().Collect());
  double total = 0;
  for (size_t at = text.find("\n" + name); at != std::string::npos; at = text.find("\n" + name, at + 1)) {
    size_t space = text.find(' ', at + 1);
    size_t end = text.find('\n', space);
    if (space != std::string::npos) total += std::stod(text.substr(space + 1, end - space - 1));
  }
  return total;
}

TEST(SqliteStoreTest, CommitsAtTheSameTimeAreKeptEachOrRefusedEachOnItsOwn) {
  metrics::SetEnabled(true);
  const double transactions_before = CounterTotal("persistence_sqlite_transactions");
  const double writes_before = CounterTotal("persistence_sqlite_writes");
  const double rows_before = CounterTotal("persistence_sqlite_rows_written");
  auto store = OpenSqliteStore(TempDbPath("group"));
  ASSERT_TRUE(store.ok()) << store.status();
  ExecutionStore& executions = (*store)->executions();
  int64_t range = *executions.AcquireShard(1);
  // Eight writers, 40 commits each, every fifth a duplicate start (refused
  // by the store's keys), all at once: they share transactions.
  std::vector<std::thread> writers;
  std::atomic<int> refused{0};
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 40; ++i) {
        const std::string run = absl::StrCat("w", w, "-", i % 5 == 4 ? i - 1 : i);
        absl::Status s = executions.Commit(1, range, StartOf(run, enums::WORKFLOW_EXECUTION_STATUS_RUNNING));
        if (i % 5 == 4) {
          if (!s.ok()) ++refused;
        } else {
          EXPECT_TRUE(s.ok()) << s;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(refused.load(), 8 * 8);
  EXPECT_EQ(Listed(**store, "").size(), 8u * 32u) << "every accepted start, and only those";
  for (int w = 0; w < 8; ++w) {
    for (int i = 0; i < 40; ++i) {
      if (i % 5 == 4) continue;
      const std::string run = absl::StrCat("w", w, "-", i);
      EXPECT_TRUE(executions.GetExecution("ns", "wf-" + run, run).ok()) << run;
    }
  }
  // Counted: every accepted start (and some refused ones, in a transaction
  // that also kept others) in transactions that hold one write or more;
  // each start wrote its run, current run, first event and visibility row.
  const double transactions = CounterTotal("persistence_sqlite_transactions") - transactions_before;
  const double writes = CounterTotal("persistence_sqlite_writes") - writes_before;
  EXPECT_GE(writes, 8 * 32 + 1);  // the shard's acquisition too
  EXPECT_LE(writes, 8 * 40 + 1);
  EXPECT_GE(transactions, 1);
  EXPECT_LE(transactions, writes);
  EXPECT_GE(CounterTotal("persistence_sqlite_rows_written") - rows_before, 8 * 32 * 4);
}

}  // namespace
}  // namespace zaman::persistence
