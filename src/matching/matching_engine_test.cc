#include "matching/matching_engine.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "matching/test_tasks.h"
#include "persistence/store.h"

namespace zaman::matching {
namespace {

using testing::WorkflowTask;

class MatchingEngineTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  TimerService timers_{clock_, false};
  MatchingEngine matching_{clock_, timers_};
  TaskQueueKey queue_{"ns", "orders", TransferTask::WORKFLOW_TASK};
};

TEST_F(MatchingEngineTest, ParkedPollGetsATaskThatArrivesLater) {
  std::optional<TransferTask> got;
  bool answered = false;
  matching_.Poll(queue_, "worker-1", clock_.Now() + absl::Seconds(60), nullptr, [&](std::optional<TransferTask> t) {
    got = t;
    answered = true;
  });
  EXPECT_FALSE(answered);
  matching_.AddTask(WorkflowTask("orders", 2));
  ASSERT_TRUE(answered);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->scheduled_event_id(), 2);
}

TEST_F(MatchingEngineTest, BacklogIsServedInOrder) {
  matching_.AddTask(WorkflowTask("orders", 2));
  matching_.AddTask(WorkflowTask("orders", 7));
  EXPECT_EQ(matching_.BacklogSize(queue_), 2);
  std::vector<int64_t> got;
  for (int i = 0; i < 2; ++i) {
    matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr,
                   [&](std::optional<TransferTask> t) { got.push_back(t->scheduled_event_id()); });
  }
  EXPECT_EQ(got, (std::vector<int64_t>{2, 7}));
}

TEST_F(MatchingEngineTest, PollEndsEmptyAtItsDeadline) {
  bool answered = false;
  std::optional<TransferTask> got = WorkflowTask("x", 1);
  matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr, [&](std::optional<TransferTask> t) {
    got = t;
    answered = true;
  });
  clock_.Advance(absl::Seconds(59));
  timers_.RunDue();
  EXPECT_FALSE(answered);
  clock_.Advance(absl::Seconds(2));
  timers_.RunDue();
  EXPECT_TRUE(answered);
  EXPECT_FALSE(got.has_value());
  // The expired poll does not swallow the next task.
  matching_.AddTask(WorkflowTask("orders", 3));
  EXPECT_EQ(matching_.BacklogSize(queue_), 1);
}

TEST_F(MatchingEngineTest, AbandonedPollerIsSkipped) {
  bool first_answered_with_task = false;
  matching_.Poll(queue_, "gone", clock_.Now() + absl::Seconds(60), [] { return true; },
                 [&](std::optional<TransferTask> t) { first_answered_with_task = t.has_value(); });
  std::optional<TransferTask> second;
  matching_.Poll(queue_, "here", clock_.Now() + absl::Seconds(60), [] { return false; },
                 [&](std::optional<TransferTask> t) { second = t; });
  matching_.AddTask(WorkflowTask("orders", 5));
  EXPECT_FALSE(first_answered_with_task);
  ASSERT_TRUE(second.has_value());
}

TEST_F(MatchingEngineTest, QueuesAreSeparateAndPollersRecorded) {
  matching_.AddTask(WorkflowTask("other", 1));
  bool answered = false;
  matching_.Poll(queue_, "worker-9", clock_.Now() + absl::Seconds(5), nullptr,
                 [&](std::optional<TransferTask>) { answered = true; });
  EXPECT_FALSE(answered);
  auto pollers = matching_.Pollers(queue_);
  ASSERT_EQ(pollers.size(), 1u);
  EXPECT_EQ(pollers[0].identity, "worker-9");
  matching_.Shutdown();
  EXPECT_TRUE(answered);
}

TEST_F(MatchingEngineTest, BacklogCountAndAgeGrowWithTasksAndFallWhenPolled) {
  auto backlog = [&] { return *matching_.DescribeBacklog(queue_); };
  EXPECT_EQ(backlog().status.backlog_count, 0);
  EXPECT_EQ(backlog().oldest_age, absl::ZeroDuration());
  matching_.AddTask(WorkflowTask("orders", 1));
  clock_.Advance(absl::Seconds(10));
  matching_.AddTask(WorkflowTask("orders", 2));
  clock_.Advance(absl::Seconds(5));
  EXPECT_EQ(backlog().status.backlog_count, 2);
  EXPECT_EQ(backlog().oldest_age, absl::Seconds(15));
  matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr, [](std::optional<TransferTask>) {});
  EXPECT_EQ(backlog().status.backlog_count, 1);
  EXPECT_EQ(backlog().oldest_age, absl::Seconds(5)) << "task 2 is the oldest now";
  matching_.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr, [](std::optional<TransferTask>) {});
  EXPECT_EQ(backlog().status.backlog_count, 0);
  EXPECT_EQ(backlog().oldest_age, absl::ZeroDuration());
}

// A backlog kept in a store (SQLite in memory) beyond a small buffer.
class StoredBacklogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    persistence::PersistenceConfig config;
    config.driver = "memory";
    auto store = persistence::OpenStore(config);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::unique_ptr<MatchingEngine> Engine(size_t buffer_size, int page_size) {
    return std::make_unique<MatchingEngine>(clock_, timers_,
                                            BacklogOptions{&store_->task_queues(), buffer_size, page_size});
  }
  int64_t Stored() { return *store_->task_queues().CountTasks(persistence::PartitionKey{"ns", "orders"}); }
  // The scheduled event id of the task the next poll gets; 0 for none.
  int64_t PollOne(MatchingEngine& matching) {
    int64_t got = 0;
    matching.Poll(queue_, "w", clock_.Now() + absl::Seconds(60), nullptr, [&](std::optional<TransferTask> t) {
      got = t.has_value() ? t->scheduled_event_id() : -1;
    });
    return got;
  }

  FakeClock clock_;
  TimerService timers_{clock_, false};
  std::unique_ptr<persistence::Store> store_;
  TaskQueueKey queue_{"ns", "orders", TransferTask::WORKFLOW_TASK};
};

TEST_F(StoredBacklogTest, TasksBeyondTheBufferWaitInTheStoreAndAreServedInOrder) {
  auto matching = Engine(/*buffer_size=*/2, /*page_size=*/2);
  for (int64_t n = 1; n <= 5; ++n) matching->AddTask(WorkflowTask("orders", n));
  EXPECT_EQ(matching->BacklogSize(queue_), 2);
  EXPECT_EQ(Stored(), 3);
  std::vector<int64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(PollOne(*matching));
  EXPECT_EQ(got, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  // Handed out: completed in the store.
  EXPECT_EQ(Stored(), 0);
  EXPECT_EQ(PollOne(*matching), 0) << "parked";
}

TEST_F(StoredBacklogTest, ABufferOfOneStillServesEveryTaskInOrder) {
  auto matching = Engine(/*buffer_size=*/1, /*page_size=*/10);
  for (int64_t n = 1; n <= 3; ++n) matching->AddTask(WorkflowTask("orders", n));
  EXPECT_EQ(Stored(), 2);
  EXPECT_EQ(PollOne(*matching), 1);
  EXPECT_EQ(PollOne(*matching), 2);
  EXPECT_EQ(PollOne(*matching), 3);
}

TEST_F(StoredBacklogTest, ANewOwnerServesWhatTheOldOneStored) {
  {
    auto old_owner = Engine(/*buffer_size=*/1, /*page_size=*/10);
    for (int64_t n = 1; n <= 3; ++n) old_owner->AddTask(WorkflowTask("orders", n));
  }
  // Task 1 was only in the old owner's memory (history's outbox offers it
  // again); 2 and 3 were in the store.
  auto new_owner = Engine(/*buffer_size=*/1, /*page_size=*/10);
  EXPECT_EQ(PollOne(*new_owner), 2);
  EXPECT_EQ(PollOne(*new_owner), 3);
  EXPECT_EQ(Stored(), 0);
}

TEST_F(StoredBacklogTest, ConcurrentAddsAndPollsDeliverEveryTaskOnce) {
  auto matching = Engine(/*buffer_size=*/4, /*page_size=*/3);
  constexpr int kPerProducer = 150;
  absl::Mutex mu;
  std::vector<int64_t> got;
  std::atomic<bool> all_in{false};
  std::atomic<bool> stopped{false};
  std::atomic<int64_t> most_stored{0};
  auto consumer = [&] {
    while (!all_in && !stopped) {
      // Slower than the producers, so that the backlog outgrows the buffer.
      absl::SleepFor(absl::Microseconds(300));
      most_stored = std::max(most_stored.load(), Stored());
      absl::Notification answered;
      matching->Poll(queue_, "w", clock_.Now() + absl::Hours(1), nullptr, [&](std::optional<TransferTask> t) {
        if (t.has_value()) {
          absl::MutexLock lock(&mu);
          got.push_back(t->scheduled_event_id());
          if (got.size() == 2 * kPerProducer) all_in = true;
        }
        answered.Notify();
      });
      answered.WaitForNotification();
    }
  };
  auto producer = [&](int64_t first) {
    for (int64_t n = first; n < first + kPerProducer; ++n) matching->AddTask(WorkflowTask("orders", n));
  };
  std::vector<std::thread> threads;
  threads.emplace_back(consumer);
  threads.emplace_back(consumer);
  threads.emplace_back(producer, 1);
  threads.emplace_back(producer, 1001);
  for (int i = 0; i < 500 && !all_in; ++i) absl::SleepFor(absl::Milliseconds(20));
  stopped = true;
  matching->Shutdown();  // answers the polls still parked
  for (std::thread& t : threads) t.join();
  std::sort(got.begin(), got.end());
  std::vector<int64_t> want;
  for (int64_t n = 1; n <= kPerProducer; ++n) want.push_back(n);
  for (int64_t n = 1001; n < 1001 + kPerProducer; ++n) want.push_back(n);
  EXPECT_EQ(got, want);
  EXPECT_GT(most_stored.load(), 0) << "the store was used";
}

TEST_F(StoredBacklogTest, StickyAndQueryTasksStayInMemory) {
  auto matching = Engine(/*buffer_size=*/1, /*page_size=*/10);
  for (int64_t n = 1; n <= 3; ++n) {
    TransferTask task = WorkflowTask("orders", n);
    task.mutable_task_queue()->set_kind(temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY);
    matching->AddTask(task);
  }
  TransferTask query = WorkflowTask("orders", 4);
  query.set_query_id("q-1");
  matching->AddTask(query);
  EXPECT_EQ(matching->BacklogSize(queue_), 4);
  EXPECT_EQ(Stored(), 0);
}

TEST_F(StoredBacklogTest, TheBacklogCountsTheStoredTasksOnce) {
  auto matching = Engine(/*buffer_size=*/2, /*page_size=*/2);
  for (int64_t n = 1; n <= 6; ++n) {
    matching->AddTask(WorkflowTask("orders", n));
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_EQ(Stored(), 4);
  auto backlog = [&] { return *matching->DescribeBacklog(queue_); };
  EXPECT_EQ(backlog().status.backlog_count, 6);
  EXPECT_EQ(backlog().oldest_age, absl::Seconds(6));
  // Each poll takes one, whether the buffer is refilled from the store
  // meanwhile or not.
  for (int64_t left = 5; left >= 0; --left) {
    ASSERT_EQ(PollOne(*matching), 6 - left);
    EXPECT_EQ(backlog().status.backlog_count, left);
  }
  EXPECT_EQ(backlog().oldest_age, absl::ZeroDuration());
  EXPECT_GT(backlog().status.range_id, 0) << "the partition was leased";
  EXPECT_GE(backlog().status.ack_level, backlog().status.range_id << persistence::kTaskIdRangeBits);
}

TEST_F(StoredBacklogTest, TasksAPreviousOwnerStoredCountWithTheirAge) {
  {
    auto old_owner = Engine(/*buffer_size=*/1, /*page_size=*/10);
    for (int64_t n = 1; n <= 3; ++n) old_owner->AddTask(WorkflowTask("orders", n));
  }
  clock_.Advance(absl::Minutes(1));
  auto new_owner = Engine(/*buffer_size=*/1, /*page_size=*/10);
  new_owner->AddTask(WorkflowTask("orders", 4));  // in memory, before the store is read
  MatchingEngine::Backlog backlog = *new_owner->DescribeBacklog(queue_);
  EXPECT_EQ(backlog.status.backlog_count, 3) << "2 and 3 in the store, 4 in memory";
  EXPECT_EQ(backlog.oldest_age, absl::Minutes(1));
}

}  // namespace
}  // namespace zaman::matching
