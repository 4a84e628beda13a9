// A shard's outbox and timer queue are read from the store in pages: what
// is waiting never has to fit in memory, yet every task is handed out and
// every timer fires, in order, once, also after a restart.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "common/timer_service.h"
#include "history/shard.h"
#include "persistence/testing/faulty_execution_store.h"
#include "persistence/testing/test_backends.h"

namespace zaman::history {
namespace {

using ::google::protobuf::util::TimeUtil;

// Records what the shard hands out.
class RecordingListener final : public ShardListener {
 public:
  void DispatchTransferTask(const TransferTask& task) override {
    absl::MutexLock lock(&mu_);
    dispatched_.push_back(task.task_id());
  }
  void TimerDue(int32_t, const TimerTask& task) override {
    absl::MutexLock lock(&mu_);
    fired_.push_back(task);
  }
  void RunChanged(const MutableState&) override {}
  void RunDeleted(const RunKey&) override {}

  std::vector<int64_t> dispatched() {
    absl::MutexLock lock(&mu_);
    return dispatched_;
  }
  std::vector<TimerTask> fired() {
    absl::MutexLock lock(&mu_);
    return fired_;
  }

 private:
  absl::Mutex mu_;
  std::vector<int64_t> dispatched_;
  std::vector<TimerTask> fired_;
};

// A new run ns/wf/run.
void CreateRun(MutationScope& scope) {
  MutableState state;
  state.set_namespace_id("ns");
  state.set_workflow_id("wf");
  state.set_run_id("run");
  state.set_next_event_id(1);
  scope.Create(std::move(state), "");
}

// Waits (up to 10 s) until `done` holds.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return done();
}

class ShardQueuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<persistence::Store>> store =
        persistence::testing::OpenFreshStore({"sqlite", "sqlite"}, ::testing::TempDir());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    counting_ = std::make_unique<persistence::testing::FaultyExecutionStore>(store_->executions());
  }

  std::unique_ptr<Shard> StartShard(ShardOptions options) {
    auto shard = std::make_unique<Shard>(0, *counting_, clock_, timers_, listener_, options);
    EXPECT_TRUE(shard->Start().ok());
    return shard;
  }

  // Commits `mutation` and waits for it.
  void Run(Shard& shard, std::function<void(MutationScope&)> mutation) {
    absl::Status result = RunAndTell(shard, std::move(mutation));
    ASSERT_TRUE(result.ok()) << result;
  }
  absl::Status RunAndTell(Shard& shard, std::function<void(MutationScope&)> mutation) {
    absl::Notification committed;
    absl::Status result;
    shard.Execute<bool>(
        [mutation](MutationScope& scope) -> absl::StatusOr<bool> {
          mutation(scope);
          return true;
        },
        [&](absl::StatusOr<bool> r) {
          result = r.status();
          committed.Notify();
        });
    committed.WaitForNotification();
    return result;
  }

  static TransferTask OutboxTask() {
    TransferTask task;
    task.set_kind(TransferTask::VISIBILITY);
    return task;
  }
  TimerTask TimerAt(absl::Duration from_now) {
    TimerTask timer;
    timer.set_kind(TimerTask::USER_TIMER);
    *timer.mutable_fire_time() = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(clock_.Now() + from_now));
    return timer;
  }

  // Moves time on and fires what came due, with the page reads that follow.
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    for (int quiet = 0; quiet < 5;) {
      quiet = timers_.RunDue() == 0 ? quiet + 1 : 0;
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  FakeClock clock_;
  TimerService timers_{clock_, /*run_thread=*/false};
  RecordingListener listener_;
  std::unique_ptr<persistence::Store> store_;
  std::unique_ptr<persistence::testing::FaultyExecutionStore> counting_;
};

TEST_F(ShardQueuesTest, AnOutboxLongerThanTheLimitIsHandedOutAsTasksSettle) {
  ShardOptions options;
  options.max_outbox_in_flight = 10;
  options.page_size = 4;
  std::unique_ptr<Shard> shard = StartShard(options);
  Run(*shard, [](MutationScope& scope) {
    for (int i = 0; i < 50; ++i) scope.AddTransferTask(OutboxTask());
  });
  // One commit is handed out whole when nothing waits before it; the limit
  // holds back what comes after.
  Run(*shard, [](MutationScope& scope) {
    for (int i = 0; i < 30; ++i) scope.AddTransferTask(OutboxTask());
  });
  ASSERT_TRUE(Eventually([&] { return listener_.dispatched().size() >= 50; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(listener_.dispatched().size(), 50u) << "nothing more while 50 are in flight";
  EXPECT_EQ(shard->footprint().outbox_in_flight, 50u);

  // Settling them lets the rest through, a page at a time, never more than
  // ten in flight.
  std::vector<int64_t> first = listener_.dispatched();
  Run(*shard, [&](MutationScope& scope) {
    for (int64_t id : first) scope.CompleteTransferTask(id);
  });
  size_t released = 50;
  for (int round = 0; round < 20 && listener_.dispatched().size() < 80; ++round) {
    ASSERT_TRUE(Eventually([&] { return shard->footprint().outbox_in_flight == 10 || listener_.dispatched().size() == 80; }));
    EXPECT_LE(shard->footprint().outbox_in_flight, 10u);
    std::vector<int64_t> now = listener_.dispatched();
    for (; released < now.size(); ++released) shard->ReleaseTransferTask(now[released]);
  }
  ASSERT_EQ(listener_.dispatched().size(), 80u);
  std::vector<int64_t> all = listener_.dispatched();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end())) << "handed out in commit order";
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end()) << "each once";
}

TEST_F(ShardQueuesTest, ARestartHandsOutWhatWasNotCompletedInPages) {
  ShardOptions options;
  options.max_outbox_in_flight = 8;
  options.page_size = 3;
  std::unique_ptr<Shard> shard = StartShard(options);
  Run(*shard, [](MutationScope& scope) {
    for (int i = 0; i < 20; ++i) scope.AddTransferTask(OutboxTask());
  });
  std::vector<int64_t> before = listener_.dispatched();
  ASSERT_EQ(before.size(), 20u);
  Run(*shard, [&](MutationScope& scope) {
    for (size_t i = 0; i < 5; ++i) scope.CompleteTransferTask(before[i]);
  });
  shard->Stop();
  shard.reset();

  std::unique_ptr<Shard> next = StartShard(options);
  ASSERT_TRUE(Eventually([&] { return listener_.dispatched().size() >= 28; }));
  absl::SleepFor(absl::Milliseconds(100));
  std::vector<int64_t> all = listener_.dispatched();
  std::vector<int64_t> after(all.begin() + 20, all.end());
  EXPECT_EQ(after.size(), 8u) << "no more than the limit in flight";
  EXPECT_EQ(after.front(), before[5]) << "the completed ones are not handed out again";
  // A task the listener is done with (matching took it) frees its place.
  for (int64_t id : after) next->ReleaseTransferTask(id);
  ASSERT_TRUE(Eventually([&] { return listener_.dispatched().size() == 35; }));
  EXPECT_EQ(listener_.dispatched().back(), before.back());
}

TEST_F(ShardQueuesTest, TimersBeyondTheLookAheadWaitInTheStoreAndFireInOrder) {
  ShardOptions options;
  options.timer_lookahead = absl::Minutes(1);
  options.max_armed_timers = 6;
  options.page_size = 4;
  std::unique_ptr<Shard> shard = StartShard(options);
  // 10 timers due within the minute (more than may be armed at once), 10 in
  // an hour, committed in reverse order of firing.
  Run(*shard, [&](MutationScope& scope) {
    for (int i = 9; i >= 0; --i) scope.AddTimerTask(TimerAt(absl::Hours(1) + absl::Seconds(i)));
    for (int i = 9; i >= 0; --i) scope.AddTimerTask(TimerAt(absl::Seconds(10 + i)));
  });
  // Committed inside what was read (the first read saw an empty store): all
  // ten near ones are armed; the far ones wait in the store.
  ASSERT_TRUE(Eventually([&] { return shard->footprint().armed_timers == 10; }));

  Advance(absl::Seconds(30));
  std::vector<TimerTask> fired = listener_.fired();
  ASSERT_EQ(fired.size(), 10u);
  EXPECT_EQ(shard->footprint().armed_timers, 0u);
  Run(*shard, [&](MutationScope& scope) {
    for (const TimerTask& t : fired) scope.CompleteTimerTask(t.task_id());
  });

  // The far ones: read as the window reaches them, never more than six
  // armed, and fired in fire-time order.
  for (int minute = 0; minute < 62; ++minute) {
    Advance(absl::Minutes(1));
    EXPECT_LE(shard->footprint().armed_timers, 6u);
  }
  fired = listener_.fired();
  ASSERT_EQ(fired.size(), 20u);
  for (size_t i = 11; i < fired.size(); ++i) {
    EXPECT_LE(TimeUtil::TimestampToNanoseconds(fired[i - 1].fire_time()),
              TimeUtil::TimestampToNanoseconds(fired[i].fire_time()));
  }
}

TEST_F(ShardQueuesTest, ManyTimersDueAtOnceFireInPagesAfterARestart) {
  ShardOptions options;
  options.max_armed_timers = 5;
  options.page_size = 2;
  std::unique_ptr<Shard> shard = StartShard(options);
  Run(*shard, [&](MutationScope& scope) {
    for (int i = 0; i < 23; ++i) scope.AddTimerTask(TimerAt(absl::Hours(2) + absl::Milliseconds(i)));
  });
  shard->Stop();
  shard.reset();
  Advance(absl::Hours(3));  // they are all overdue when the next owner starts

  std::unique_ptr<Shard> next = StartShard(options);
  ASSERT_TRUE(Eventually([&] { return next->footprint().armed_timers == 5; })) << "no more than five armed";
  for (int round = 0; round < 50 && listener_.fired().size() < 23; ++round) {
    Advance(absl::Milliseconds(1));
    EXPECT_LE(next->footprint().armed_timers, 5u);
  }
  std::vector<TimerTask> fired = listener_.fired();
  ASSERT_EQ(fired.size(), 23u);
  std::vector<int64_t> ids;
  for (const TimerTask& t : fired) ids.push_back(t.task_id());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "each fired once";
}

TEST_F(ShardQueuesTest, TheTasksOfACommitWhoseAnswerWasLostAreHandedOutOnceTheStoreAnswers) {
  std::unique_ptr<Shard> shard = StartShard({});
  counting_->LoseReplyOfNextCommit();
  absl::Status lost = RunAndTell(*shard, [&](MutationScope& scope) {
    scope.AddTransferTask(OutboxTask());
    scope.AddTimerTask(TimerAt(absl::Seconds(10)));
  });
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(listener_.dispatched().empty()) << "not known to be written yet";
  // The readers look again a second later and find both in the store.
  Advance(absl::Seconds(1));
  ASSERT_TRUE(Eventually([&] { return listener_.dispatched().size() == 1; }));
  ASSERT_TRUE(Eventually([&] { return shard->footprint().armed_timers == 1; }));
  Advance(absl::Seconds(10));
  EXPECT_EQ(listener_.fired().size(), 1u);
}

TEST_F(ShardQueuesTest, ARunChangedAgainIsNotReadFromTheStore) {
  std::unique_ptr<Shard> shard = StartShard({});
  Run(*shard, [](MutationScope& scope) {
    CreateRun(scope);
  });
  for (int i = 0; i < 3; ++i) {
    Run(*shard, [](MutationScope& scope) {
      absl::StatusOr<RunChange*> run = scope.Load("ns", "wf", "run");
      ASSERT_TRUE(run.ok()) << run.status();
      (*run)->state.set_attempt((*run)->state.attempt() + 1);
    });
  }
  EXPECT_EQ(counting_->executions_read(), 0) << "every change after the first came from the cache";

  // A new owner reads it once, then has it too; and it sees every change.
  shard->Stop();
  shard.reset();
  std::unique_ptr<Shard> next = StartShard({});
  for (int i = 0; i < 2; ++i) {
    Run(*next, [](MutationScope& scope) {
      absl::StatusOr<RunChange*> run = scope.Load("ns", "wf", "run");
      ASSERT_TRUE(run.ok()) << run.status();
      (*run)->state.set_attempt((*run)->state.attempt() + 1);
    });
  }
  EXPECT_EQ(counting_->executions_read(), 1);
  absl::StatusOr<persistence::ExecutionRecord> stored = store_->executions().GetExecution("ns", "wf", "run");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state.attempt(), 5);
  EXPECT_EQ(stored->db_version, 6);
}

// The outbox rows left in the store.
std::vector<int64_t> StoredOutbox(persistence::ExecutionStore& store) {
  absl::StatusOr<std::vector<TransferTask>> tasks = store.LoadTransferTasks(0, 0, 1000);
  EXPECT_TRUE(tasks.ok()) << tasks.status();
  std::vector<int64_t> ids;
  if (tasks.ok()) {
    for (const TransferTask& task : *tasks) ids.push_back(task.task_id());
  }
  return ids;
}

TEST_F(ShardQueuesTest, CompletionsAloneCommitNothingAndGoWithTheNextCommitOrASecondLater) {
  std::unique_ptr<Shard> shard = StartShard({});
  Run(*shard, [](MutationScope& scope) {
    for (int i = 0; i < 6; ++i) scope.AddTransferTask(OutboxTask());
  });
  std::vector<int64_t> tasks = listener_.dispatched();
  ASSERT_EQ(tasks.size(), 6u);
  const int commits = counting_->commits();

  // Done, but nothing to write but the deletion: no commit of their own.
  Run(*shard, [&](MutationScope& scope) {
    for (size_t i = 0; i < 3; ++i) scope.CompleteTransferTask(tasks[i]);
  });
  EXPECT_EQ(counting_->commits(), commits);
  EXPECT_EQ(shard->footprint().outbox_in_flight, 3u) << "settled at once";
  EXPECT_EQ(StoredOutbox(store_->executions()).size(), 6u);

  // The next commit takes their deletion with it.
  Run(*shard, [this](MutationScope& scope) { scope.AddTimerTask(TimerAt(absl::Hours(1))); });
  EXPECT_EQ(counting_->commits(), commits + 1);
  EXPECT_EQ(StoredOutbox(store_->executions()), std::vector<int64_t>(tasks.begin() + 3, tasks.end()));

  // Without another commit, a commit of their own a second later.
  Run(*shard, [&](MutationScope& scope) {
    for (size_t i = 3; i < 6; ++i) scope.CompleteTransferTask(tasks[i]);
  });
  EXPECT_EQ(StoredOutbox(store_->executions()).size(), 3u);
  Advance(absl::Seconds(1));
  ASSERT_TRUE(Eventually([&] { return StoredOutbox(store_->executions()).empty(); }));
  EXPECT_EQ(counting_->commits(), commits + 2);
  EXPECT_TRUE(listener_.dispatched().size() == 6u) << "none handed out again";
}

TEST_F(ShardQueuesTest, ARunAMutationLeftUnchangedIsNotWritten) {
  std::unique_ptr<Shard> shard = StartShard({});
  Run(*shard, [this](MutationScope& scope) {
    CreateRun(scope);
    scope.AddTimerTask(TimerAt(absl::Seconds(5)));
  });
  absl::StatusOr<std::vector<TimerTask>> timers =
      store_->executions().LoadTimerTasks(0, {}, std::numeric_limits<int64_t>::max(), 10);
  ASSERT_TRUE(timers.ok() && timers->size() == 1);
  const int64_t timer_id = timers->front().task_id();
  const int commits = counting_->commits();
  // What a timer that finds its work done does: it reads the run, changes
  // nothing, and is done.
  Run(*shard, [timer_id](MutationScope& scope) {
    scope.CompleteTimerTask(timer_id);
    absl::StatusOr<RunChange*> run = scope.Load("ns", "wf", "run");
    ASSERT_TRUE(run.ok()) << run.status();
    scope.Unchanged(**run);
  });
  EXPECT_EQ(counting_->commits(), commits);
  absl::StatusOr<persistence::ExecutionRecord> stored = store_->executions().GetExecution("ns", "wf", "run");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->db_version, 1) << "not written again";
  // A stop takes the held-back completion with it.
  shard->Stop();
  EXPECT_EQ(counting_->commits(), commits + 1);
  timers = store_->executions().LoadTimerTasks(0, {}, std::numeric_limits<int64_t>::max(), 10);
  ASSERT_TRUE(timers.ok());
  EXPECT_TRUE(timers->empty());
}

}  // namespace
}  // namespace zaman::history
