// The ExecutionStore contract, run against every backend: atomic commits,
// version and current-run conditions, and shard fencing between two hosts.
#include <atomic>
#include <limits>
#include <thread>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/errors.h"
#include "persistence/testing/test_backends.h"

namespace zaman::persistence {
namespace {

using google::protobuf::util::TimeUtil;
using testing::TestBackend;

#define ASSERT_OK(expr)                       \
  do {                                        \
    absl::Status status_ = (expr);            \
    ASSERT_TRUE(status_.ok()) << status_;     \
  } while (0)

MutableState RunState(const std::string& workflow_id, const std::string& run_id, int64_t next_event_id = 2) {
  MutableState state;
  state.set_namespace_id("ns-1");
  state.set_workflow_id(workflow_id);
  state.set_run_id(run_id);
  state.set_next_event_id(next_event_id);
  return state;
}

HistoryEvent Event(int64_t id) {
  HistoryEvent event;
  event.set_event_id(id);
  event.set_event_type(temporal::api::enums::v1::EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
  return event;
}

// A new run with its first event, made current.
ExecutionUpdate Start(const std::string& workflow_id, const std::string& run_id) {
  ExecutionUpdate update;
  update.state = RunState(workflow_id, run_id);
  update.set_current = true;
  update.events = {Event(1)};
  return update;
}

class ExecutionStoreTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    absl::StatusOr<PersistenceConfig> config = testing::FreshStoreConfig(GetParam(), ::testing::TempDir());
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *config;
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<Store> Open() {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  ExecutionStore& executions() { return store_->executions(); }

  std::vector<TransferTask> AllTransfer(int32_t shard) {
    absl::StatusOr<std::vector<TransferTask>> tasks = executions().LoadTransferTasks(shard, 0, 1000);
    EXPECT_TRUE(tasks.ok()) << tasks.status();
    return tasks.ok() ? *tasks : std::vector<TransferTask>();
  }
  std::vector<TimerTask> AllTimers(int32_t shard) {
    absl::StatusOr<std::vector<TimerTask>> timers =
        executions().LoadTimerTasks(shard, TimerKey{-1, 0}, std::numeric_limits<int64_t>::max(), 1000);
    EXPECT_TRUE(timers.ok()) << timers.status();
    return timers.ok() ? *timers : std::vector<TimerTask>();
  }

  // A second client of the same database, as another history host has. An
  // in-memory database has only one: there both hosts share it, and fencing
  // is still all that keeps the earlier owner out.
  Store& SecondHost() {
    if (GetParam().driver == "memory") return *store_;
    if (second_ == nullptr) second_ = Open();
    return *second_;
  }

  PersistenceConfig config_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Store> second_;
};

TEST_P(ExecutionStoreTest, ACommitWritesStateHistoryAndTasksTogether) {
  absl::StatusOr<int64_t> range = executions().AcquireShard(3);
  ASSERT_TRUE(range.ok()) << range.status();
  ShardTransaction tx;
  tx.updates.push_back(Start("wf", "run-1"));
  tx.updates[0].events.push_back(Event(2));
  TransferTask transfer;
  transfer.set_task_id(10);
  transfer.set_workflow_id("wf");
  tx.new_transfer_tasks = {transfer};
  TimerTask timer;
  timer.set_task_id(11);
  *timer.mutable_fire_time() = TimeUtil::SecondsToTimestamp(2000);
  TimerTask earlier = timer;
  earlier.set_task_id(12);
  *earlier.mutable_fire_time() = TimeUtil::SecondsToTimestamp(1000);
  tx.new_timer_tasks = {timer, earlier};
  ASSERT_OK(executions().Commit(3, *range, tx));

  absl::StatusOr<ExecutionRecord> record = executions().GetExecution("ns-1", "wf", "run-1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->db_version, 1);
  EXPECT_EQ(record->state.workflow_id(), "wf");
  EXPECT_EQ(*executions().GetCurrentRunId("ns-1", "wf"), "run-1");
  absl::StatusOr<std::vector<HistoryEvent>> history = executions().ReadHistory("ns-1", "wf", "run-1", 1, 100, 100);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].event_id(), 2);
  EXPECT_EQ(executions().ReadHistory("ns-1", "wf", "run-1", 2, 3, 100)->size(), 1u);
  EXPECT_EQ(AllTransfer(3).size(), 1u);
  std::vector<TimerTask> timers = AllTimers(3);
  ASSERT_EQ(timers.size(), 2u);
  EXPECT_EQ(timers[0].task_id(), 12) << "timers come in firing order";
  EXPECT_TRUE(AllTransfer(4).empty()) << "tasks belong to their shard";

  ShardTransaction done;
  done.done_transfer_tasks = {10};
  done.done_timer_tasks = {11, 12};
  ASSERT_OK(executions().Commit(3, *range, done));
  EXPECT_TRUE(AllTransfer(3).empty());
  EXPECT_TRUE(AllTimers(3).empty());
}

// The queues are read in pages: the outbox by task id, the timers by fire
// time then task id, and only up to the asked-for time.
TEST_P(ExecutionStoreTest, TasksAreReadInPages) {
  int64_t range = *executions().AcquireShard(2);
  ShardTransaction tx;
  for (int i = 1; i <= 7; ++i) {
    TransferTask task;
    task.set_task_id(100 + i);
    tx.new_transfer_tasks.push_back(task);
    TimerTask timer;
    timer.set_task_id(200 + i);
    // Fire times 1000, 1000, 2000, 2000, 3000, 3000, 4000 (ms); the task
    // ids break ties inside a millisecond.
    *timer.mutable_fire_time() = TimeUtil::MillisecondsToTimestamp(1000 * ((i + 1) / 2));
    tx.new_timer_tasks.push_back(timer);
  }
  ASSERT_OK(executions().Commit(2, range, tx));

  absl::StatusOr<std::vector<TransferTask>> first = executions().LoadTransferTasks(2, 0, 3);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ(first->back().task_id(), 103);
  absl::StatusOr<std::vector<TransferTask>> rest = executions().LoadTransferTasks(2, 103, 100);
  ASSERT_EQ(rest->size(), 4u);
  EXPECT_EQ(rest->front().task_id(), 104);
  EXPECT_TRUE(executions().LoadTransferTasks(2, 107, 100)->empty());

  // Page of 3 from the start: 1000/201, 1000/202, 2000/203.
  absl::StatusOr<std::vector<TimerTask>> timers = executions().LoadTimerTasks(2, TimerKey{0, 0}, 10000, 3);
  ASSERT_TRUE(timers.ok()) << timers.status();
  ASSERT_EQ(timers->size(), 3u);
  EXPECT_EQ((*timers)[2].task_id(), 203);
  // After (2000, 203) and before 4000 ms: 204, 205, 206, not 207.
  TimerKey after = TimerKeyOf(timers->back());
  EXPECT_EQ(after.fire_time_ms, 2000);
  timers = executions().LoadTimerTasks(2, after, 4000, 100);
  ASSERT_EQ(timers->size(), 3u);
  EXPECT_EQ(timers->front().task_id(), 204);
  EXPECT_EQ(timers->back().task_id(), 206);
  // A key inside a millisecond: only the later task ids of that time.
  timers = executions().LoadTimerTasks(2, TimerKey{3000, 205}, 100000, 100);
  ASSERT_EQ(timers->size(), 2u);
  EXPECT_EQ(timers->front().task_id(), 206);
}

TEST_P(ExecutionStoreTest, AFailedConditionAppliesNothingOfTheTransaction) {
  int64_t range = *executions().AcquireShard(1);
  ShardTransaction first;
  first.updates.push_back(Start("wf", "run-1"));
  ASSERT_OK(executions().Commit(1, range, first));

  // One good new run and one stale update of run-1: neither lands.
  ShardTransaction mixed;
  mixed.updates.push_back(Start("other", "run-2"));
  ExecutionUpdate stale;
  stale.state = RunState("wf", "run-1", 3);
  stale.expected_db_version = 7;
  stale.events = {Event(2)};
  mixed.updates.push_back(stale);
  TransferTask task;
  task.set_task_id(5);
  mixed.new_transfer_tasks = {task};
  absl::Status status = executions().Commit(1, range, mixed);
  EXPECT_TRUE(errors::IsConditionFailed(status)) << status;
  EXPECT_EQ(executions().GetExecution("ns-1", "other", "run-2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(AllTransfer(1).empty());
  EXPECT_EQ(executions().ReadHistory("ns-1", "wf", "run-1", 1, 100, 100)->size(), 1u);

  // The right version is accepted and moves on by one.
  ShardTransaction good;
  ExecutionUpdate next = stale;
  next.expected_db_version = 1;
  good.updates.push_back(next);
  ASSERT_OK(executions().Commit(1, range, good));
  EXPECT_EQ(executions().GetExecution("ns-1", "wf", "run-1")->db_version, 2);
}

TEST_P(ExecutionStoreTest, HistoryIsNeverRewritten) {
  int64_t range = *executions().AcquireShard(1);
  ShardTransaction first;
  first.updates.push_back(Start("wf", "run-1"));
  ASSERT_OK(executions().Commit(1, range, first));
  ShardTransaction again;
  ExecutionUpdate rewrite;
  rewrite.state = RunState("wf", "run-1");
  rewrite.expected_db_version = 1;
  rewrite.events = {Event(1)};
  EXPECT_TRUE(errors::IsConditionFailed(executions().Commit(1, range, {.updates = {rewrite}})));
  EXPECT_EQ(executions().GetExecution("ns-1", "wf", "run-1")->db_version, 1);
}

TEST_P(ExecutionStoreTest, OnlyOneRunIsCurrentAndOnlyTheExpectedOneIsReplaced) {
  int64_t range = *executions().AcquireShard(1);
  ASSERT_OK(executions().Commit(1, range, {.updates = {Start("wf", "run-1")}}));
  // A second first run of the same workflow id loses.
  EXPECT_TRUE(errors::IsConditionFailed(executions().Commit(1, range, {.updates = {Start("wf", "run-2")}})));
  ExecutionUpdate next = Start("wf", "run-2");
  next.expected_current_run_id = "run-1";
  ASSERT_OK(executions().Commit(1, range, {.updates = {next}}));
  EXPECT_EQ(*executions().GetCurrentRunId("ns-1", "wf"), "run-2");
  EXPECT_EQ(executions().GetCurrentRunId("ns-1", "WF").status().code(), absl::StatusCode::kNotFound)
      << "workflow ids are case-sensitive";

  // Deleting the current run leaves the id with none.
  ASSERT_OK(executions().Commit(1, range, {.deletions = {{"ns-1", "wf", "run-2", 1}}}));
  EXPECT_EQ(executions().GetCurrentRunId("ns-1", "wf").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(executions().ReadHistory("ns-1", "wf", "run-2", 1, 100, 100)->empty());
  EXPECT_TRUE(errors::IsConditionFailed(executions().Commit(1, range, {.deletions = {{"ns-1", "wf", "run-1", 9}}})));
}

TEST_P(ExecutionStoreTest, AStateLargerThanAMegabyteRoundTrips) {
  int64_t range = *executions().AcquireShard(1);
  ExecutionUpdate big = Start("wf", "run-1");
  big.state.mutable_workflow_type()->set_name(std::string(3 << 20, 'x'));
  ASSERT_OK(executions().Commit(1, range, {.updates = {big}}));
  EXPECT_EQ(executions().GetExecution("ns-1", "wf", "run-1")->state.workflow_type().name().size(), size_t{3 << 20});
}

TEST_P(ExecutionStoreTest, AnEarlierOwnerCannotCommitOnceAnotherTookTheShard) {
  Store* other_host = &SecondHost();
  int64_t first = *executions().AcquireShard(2);
  int64_t second = *other_host->executions().AcquireShard(2);
  EXPECT_GT(second, first);
  absl::Status late = executions().Commit(2, first, {.updates = {Start("wf", "run-1")}});
  EXPECT_TRUE(errors::IsShardOwnershipLost(late)) << late;
  EXPECT_EQ(late.code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(other_host->executions().Commit(2, second, {.updates = {Start("wf", "run-1")}}).ok());
}

// Two hosts that both believe they own the shard, racing: host A commits as
// fast as it can while host B takes the shard. Once B's AcquireShard has
// returned, no commit of A succeeds, and every commit A was told succeeded
// is in the store.
TEST_P(ExecutionStoreTest, TwoHostsRacingOnOneShardNeverBothCommit) {
  Store* host_b = &SecondHost();
  const int64_t range_a = *executions().AcquireShard(5);
  std::atomic<bool> b_acquired{false};
  std::atomic<int> a_ok_after_b{0};
  std::vector<int> a_acknowledged;
  absl::Notification a_started;
  std::thread host_a([&] {
    for (int i = 0; i < 400; ++i) {
      const bool b_done_before = b_acquired.load();
      absl::Status s = executions().Commit(5, range_a, {.updates = {Start(absl::StrCat("a-", i), "r")}});
      if (i == 5) a_started.Notify();
      if (s.ok()) {
        a_acknowledged.push_back(i);
        if (b_done_before) ++a_ok_after_b;
      } else {
        EXPECT_TRUE(errors::IsShardOwnershipLost(s)) << s;
        if (b_done_before) break;
      }
    }
    if (!a_started.HasBeenNotified()) a_started.Notify();
  });
  a_started.WaitForNotification();
  absl::StatusOr<int64_t> range_b = host_b->executions().AcquireShard(5);
  ASSERT_TRUE(range_b.ok()) << range_b.status();
  b_acquired = true;
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(host_b->executions().Commit(5, *range_b, {.updates = {Start(absl::StrCat("b-", i), "r")}}));
  }
  host_a.join();
  EXPECT_EQ(a_ok_after_b.load(), 0);
  EXPECT_GE(a_acknowledged.size(), 5u);
  for (int i : a_acknowledged) {
    EXPECT_TRUE(executions().GetExecution("ns-1", absl::StrCat("a-", i), "r").ok()) << "acknowledged a-" << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ExecutionStoreTest, ::testing::ValuesIn(testing::TestBackends()),
                         [](const ::testing::TestParamInfo<TestBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace zaman::persistence
