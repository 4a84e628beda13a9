// Faults between zaman and its database, injected into real connections to
// PostgreSQL and MariaDB: what was acknowledged is exactly what was applied.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/errors.h"
#include "persistence/mysql/mysql_store.h"
#include "persistence/postgres/postgres_store.h"
#include "persistence/sql/sql_stores.h"
#include "persistence/testing/test_backends.h"

namespace zaman::persistence::sql {
namespace {

using testing::TestBackend;

// What the next connections do wrong; shared by every connection of a pool.
struct FaultPlan {
  int lose_at_history_insert = 0;  // connections lost at that many history inserts
  int deadlocks_at_history_insert = 0;
  bool lose_reply_of_next_commit = false;  // COMMIT applied, its answer lost
  bool lose_next_commit = false;           // the connection dies before COMMIT arrives
};

class FaultyConnection final : public Connection {
 public:
  FaultyConnection(std::unique_ptr<Connection> real, FaultPlan& plan) : real_(std::move(real)), plan_(plan) {}

  absl::StatusOr<Result> Run(absl::string_view sql, absl::Span<const Value> params) override {
    if (absl::StartsWith(sql, "INSERT INTO history_events") && plan_.lose_at_history_insert > 0) {
      --plan_.lose_at_history_insert;
      return Lose();
    }
    if (absl::StartsWith(sql, "INSERT INTO history_events") && plan_.deadlocks_at_history_insert > 0) {
      --plan_.deadlocks_at_history_insert;
      return TransactionAborted("injected deadlock");
    }
    if (sql == "COMMIT" && plan_.lose_next_commit) {
      plan_.lose_next_commit = false;
      return Lose();
    }
    if (sql == "COMMIT" && plan_.lose_reply_of_next_commit) {
      plan_.lose_reply_of_next_commit = false;
      absl::StatusOr<Result> committed = real_->Run(sql, params);
      EXPECT_TRUE(committed.ok()) << committed.status();
      healthy_ = false;
      return ConnectionLost("injected: the reply to COMMIT was lost");
    }
    return real_->Run(sql, params);
  }
  absl::Status RunScript(absl::string_view sql) override { return real_->RunScript(sql); }
  bool healthy() const override { return healthy_ && real_->healthy(); }

 private:
  // As the server would when the connection breaks: nothing of the open
  // transaction stays.
  absl::Status Lose() {
    (void)real_->Run("ROLLBACK", {});
    healthy_ = false;
    return ConnectionLost("injected: connection lost");
  }

  std::unique_ptr<Connection> real_;
  FaultPlan& plan_;
  bool healthy_ = true;
};

class SqlFaultsTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    absl::StatusOr<PersistenceConfig> config = testing::FreshStoreConfig(GetParam(), ::testing::TempDir());
    ASSERT_TRUE(config.ok()) << config.status();
    Driver driver = GetParam().driver == "postgres" ? postgres::NewDriver(config->sql) : mysql::NewDriver(config->sql);
    PoolOptions options;
    options.begin = BeginTransaction(driver.dialect);
    options.max_connections = 2;
    pool_ = std::make_unique<ConnectionPool>(
        [this, connect = driver.connect]() -> absl::StatusOr<std::unique_ptr<Connection>> {
          absl::StatusOr<std::unique_ptr<Connection>> real = connect();
          if (!real.ok()) return real.status();
          return std::make_unique<FaultyConnection>(*std::move(real), plan_);
        },
        options);
    store_ = NewExecutionStore(*pool_, driver.dialect);
    task_queues_ = NewTaskQueueStore(*pool_, driver.dialect);
    absl::StatusOr<int64_t> range = store_->AcquireShard(1);
    ASSERT_TRUE(range.ok()) << range.status();
    range_ = *range;
  }

  ShardTransaction NewRun(const std::string& workflow_id) {
    ExecutionUpdate update;
    update.state.set_namespace_id("ns");
    update.state.set_workflow_id(workflow_id);
    update.state.set_run_id("run");
    update.set_current = true;
    for (int id = 1; id <= 3; ++id) update.events.emplace_back().set_event_id(id);
    ShardTransaction tx;
    tx.updates.push_back(update);
    return tx;
  }

  size_t HistoryLength(const std::string& workflow_id) {
    absl::StatusOr<std::vector<HistoryEvent>> events = store_->ReadHistory("ns", workflow_id, "run", 1, 100, 100);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? events->size() : 0;
  }

  FaultPlan plan_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<ExecutionStore> store_;
  std::unique_ptr<TaskQueueStore> task_queues_;
  int64_t range_ = 0;
};

TEST_P(SqlFaultsTest, AConnectionLostMidTransactionIsRetriedOnAFreshOneAndAppliedOnce) {
  plan_.lose_at_history_insert = 2;
  absl::Status status = store_->Commit(1, range_, NewRun("wf"));
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(HistoryLength("wf"), 3u);
  EXPECT_EQ(store_->GetExecution("ns", "wf", "run")->db_version, 1);
}

TEST_P(SqlFaultsTest, ADeadlockIsRetried) {
  plan_.deadlocks_at_history_insert = 1;
  ASSERT_TRUE(store_->Commit(1, range_, NewRun("wf")).ok());
  EXPECT_EQ(HistoryLength("wf"), 3u);
}

TEST_P(SqlFaultsTest, ADatabaseGoneForGoodIsUnavailableAndAppliesNothing) {
  plan_.lose_at_history_insert = 100;
  absl::Status status = store_->Commit(1, range_, NewRun("wf"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  plan_.lose_at_history_insert = 0;
  EXPECT_EQ(store_->GetExecution("ns", "wf", "run").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(SqlFaultsTest, ACommitWhoseReplyWasLostIsAcknowledgedBecauseItLanded) {
  plan_.lose_reply_of_next_commit = true;
  absl::Status status = store_->Commit(1, range_, NewRun("wf"));
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_FALSE(plan_.lose_reply_of_next_commit) << "the fault happened";
  EXPECT_EQ(HistoryLength("wf"), 3u);
}

TEST_P(SqlFaultsTest, ACommitLostBeforeItLandedIsUnavailableAndCanBeRetried) {
  plan_.lose_next_commit = true;
  absl::Status status = store_->Commit(1, range_, NewRun("wf"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(errors::IsConditionFailed(status));
  EXPECT_EQ(store_->GetExecution("ns", "wf", "run").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->Commit(1, range_, NewRun("wf")).ok()) << "the same commit, again";
  EXPECT_EQ(HistoryLength("wf"), 3u);
}

// Two backlog tasks of a partition acquired just now.
struct BacklogAdd {
  PartitionKey key{"ns", "orders"};
  int64_t range_id = 0;
  std::vector<QueuedTask> tasks;
};

BacklogAdd TwoTasks(TaskQueueStore& queues) {
  BacklogAdd add;
  absl::StatusOr<PartitionLease> lease = queues.AcquirePartition(add.key);
  EXPECT_TRUE(lease.ok()) << lease.status();
  add.range_id = lease.ok() ? lease->range_id : 0;
  for (int64_t n : {0, 1}) add.tasks.emplace_back().task_id = (add.range_id << kTaskIdRangeBits) | n;
  return add;
}

TEST_P(SqlFaultsTest, BacklogTasksWhoseCommitReplyWasLostAreAcknowledgedBecauseTheyLanded) {
  BacklogAdd add = TwoTasks(*task_queues_);
  plan_.lose_reply_of_next_commit = true;
  absl::Status status = task_queues_->AddTasks(add.key, add.range_id, add.tasks);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_FALSE(plan_.lose_reply_of_next_commit) << "the fault happened";
  EXPECT_EQ(*task_queues_->CountTasks(add.key), 2);
}

TEST_P(SqlFaultsTest, BacklogTasksLostBeforeTheyLandedAreUnavailableAndCanBeAddedAgain) {
  BacklogAdd add = TwoTasks(*task_queues_);
  plan_.lose_next_commit = true;
  absl::Status status = task_queues_->AddTasks(add.key, add.range_id, add.tasks);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(errors::IsTaskQueueOwnershipLost(status));
  EXPECT_EQ(*task_queues_->CountTasks(add.key), 0);
  ASSERT_TRUE(task_queues_->AddTasks(add.key, add.range_id, add.tasks).ok()) << "the same tasks, again";
  EXPECT_EQ(*task_queues_->CountTasks(add.key), 2);
}

INSTANTIATE_TEST_SUITE_P(Servers, SqlFaultsTest,
                         ::testing::Values(TestBackend{"postgres", "postgres"}, TestBackend{"mariadb", "mysql"}),
                         [](const ::testing::TestParamInfo<TestBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace zaman::persistence::sql
