#include "matching/matching_host.h"

#include <future>

#include <gtest/gtest.h>

#include "matching/test_tasks.h"

#include "common/errors.h"
#include "matching/partition.h"

namespace zaman::matching {
namespace {

using testing::WorkflowTask;

// Two matching hosts of a cluster: `partition_host_` owns partition 1 of
// the queue "orders", `root_host_` its root; partitions forward to the root
// host directly (a cluster goes through the ring).
class PartitionForwardingTest : public ::testing::Test {
 protected:
  void SetUp() override { partition_host_.SetForwarder(&root_host_); }
  void TearDown() override {
    partition_host_.Shutdown();
    root_host_.Shutdown();
  }

  std::future<std::optional<PolledTask>> PollAt(MatchingHost& host, const std::string& name) {
    auto answered = std::make_shared<std::promise<std::optional<PolledTask>>>();
    host.Poll({"ns", name, TransferTask::WORKFLOW_TASK}, /*sticky=*/false, "worker", absl::Now() + absl::Seconds(10),
              nullptr, [answered](std::optional<PolledTask> t) { answered->set_value(std::move(t)); });
    return answered->get_future();
  }

  const std::string partition_ = PartitionName("orders", 1);
  TimerService timers_{Clock::Real(), /*run_thread=*/true};
  MatchingHost root_host_{Clock::Real(), timers_};
  MatchingHost partition_host_{Clock::Real(), timers_};
};

TEST(PartitionNameTest, RoundTrips) {
  EXPECT_EQ(PartitionName("orders", 0), "orders");
  EXPECT_EQ(PartitionName("orders", 3), "/_sys/orders/3");
  EXPECT_EQ(ParsePartition("/_sys/orders/3"), std::make_pair(std::string("orders"), 3));
  EXPECT_EQ(ParsePartition("/_sys/a/b/2"), std::make_pair(std::string("a/b"), 2));
  EXPECT_EQ(ParsePartition("orders"), std::make_pair(std::string("orders"), 0));
  EXPECT_EQ(ParsePartition("/_sys/orders/x"), std::make_pair(std::string("/_sys/orders/x"), 0));
}

TEST_F(PartitionForwardingTest, APollOnAnEmptyPartitionGetsTheRootsTask) {
  auto polled = PollAt(partition_host_, partition_);  // forwarded: waits at the root
  absl::SleepFor(absl::Milliseconds(50));
  root_host_.AddTask(WorkflowTask("orders", 7), [](absl::StatusOr<bool> s) { ASSERT_TRUE(s.ok()); });
  ASSERT_EQ(polled.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::optional<PolledTask> got = polled.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->task.scheduled_event_id(), 7);
}

TEST_F(PartitionForwardingTest, ATaskOnAPartitionNobodyPollsReachesAPollerAtTheRoot) {
  auto polled = PollAt(root_host_, "orders");
  absl::SleepFor(absl::Milliseconds(50));
  partition_host_.AddTask(WorkflowTask(partition_, 8), [](absl::StatusOr<bool> s) { ASSERT_TRUE(s.ok()); });
  ASSERT_EQ(polled.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::optional<PolledTask> got = polled.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->task.scheduled_event_id(), 8);
  EXPECT_EQ(partition_host_.engine().BacklogSize({"ns", partition_, TransferTask::WORKFLOW_TASK}), 0);
}

TEST_F(PartitionForwardingTest, APartitionsBacklogDrainsToPollersThatComeLater) {
  // Nobody polls anywhere: the tasks wait in the partition's backlog.
  for (int i = 1; i <= 3; ++i) partition_host_.AddTask(WorkflowTask(partition_, i), [](absl::StatusOr<bool>) {});
  TaskQueueKey key{"ns", partition_, TransferTask::WORKFLOW_TASK};
  EXPECT_EQ(partition_host_.engine().BacklogSize(key), 3);
  // Pollers then wait at the root only: the backlog is offered to them.
  std::set<int64_t> got;
  for (int i = 0; i < 3; ++i) {
    auto polled = PollAt(root_host_, "orders");
    ASSERT_EQ(polled.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "poll " << i;
    std::optional<PolledTask> task = polled.get();
    ASSERT_TRUE(task.has_value());
    EXPECT_EQ(task->task.task_queue().name(), "orders");
    got.insert(task->task.scheduled_event_id());
  }
  EXPECT_EQ(got, (std::set<int64_t>{1, 2, 3}));
  EXPECT_EQ(partition_host_.engine().BacklogSize(key), 0);
  // Each task counts once: added at the partition, dispatched at the root.
  TaskQueueDescription partition = *partition_host_.Describe(key, false);
  TaskQueueDescription root = *root_host_.Describe({"ns", "orders", TransferTask::WORKFLOW_TASK}, false);
  EXPECT_GT(partition.stats.add_rate, 0);
  EXPECT_EQ(partition.stats.dispatch_rate, 0);
  EXPECT_EQ(root.stats.add_rate, 0);
  EXPECT_GT(root.stats.dispatch_rate, 0);
  EXPECT_EQ(partition.stats.backlog_count + root.stats.backlog_count, 0);
}

TEST_F(PartitionForwardingTest, APartitionWithABacklogAnswersItsPollsItself) {
  partition_host_.AddTask(WorkflowTask(partition_, 9), [](absl::StatusOr<bool>) {});
  auto polled = PollAt(partition_host_, partition_);
  ASSERT_EQ(polled.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::optional<PolledTask> got = polled.get();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->task.scheduled_event_id(), 9);
}

TEST(MatchingHostTest, AStickyQueueNobodyPollsIsRefused) {
  TimerService timers(Clock::Real(), /*run_thread=*/true);
  MatchingHost host(Clock::Real(), timers);
  TransferTask task = WorkflowTask("sticky-worker-1", 3);
  task.mutable_task_queue()->set_kind(temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY);
  absl::Status added;
  host.AddTask(task, [&added](absl::StatusOr<bool> s) { added = s.status(); });
  EXPECT_TRUE(errors::IsStickyWorkerUnavailable(added)) << added;
  host.Shutdown();
}

TEST(MatchingHostTest, DescribeShowsTheBacklogTheRatesAndRecentPollers) {
  FakeClock clock;
  TimerService timers(clock, /*run_thread=*/false);
  MatchingHost host(clock, timers);
  const TaskQueueKey queue{"ns", "orders", TransferTask::WORKFLOW_TASK};
  for (int i = 1; i <= 4; ++i) host.AddTask(WorkflowTask("orders", i), [](absl::StatusOr<bool>) {});
  clock.Advance(absl::Seconds(3));
  std::optional<PolledTask> polled;
  host.Poll(queue, false, "worker-a", clock.Now() + absl::Seconds(60), nullptr,
            [&](std::optional<PolledTask> t) { polled = std::move(t); });
  ASSERT_TRUE(polled.has_value());

  TaskQueueDescription described = *host.Describe(queue, false);
  EXPECT_EQ(described.stats.backlog_count, 3);
  EXPECT_EQ(described.stats.backlog_age, absl::Seconds(3));
  EXPECT_EQ(described.status.backlog_count, 3);
  EXPECT_NEAR(described.stats.add_rate, 4.0 / 3, 0.01);
  EXPECT_NEAR(described.stats.dispatch_rate, 1.0 / 3, 0.01);
  ASSERT_EQ(described.pollers.size(), 1u);
  EXPECT_EQ(described.pollers[0].identity, "worker-a");
  EXPECT_TRUE(host.Describe({"ns", "orders", TransferTask::ACTIVITY_TASK}, false)->pollers.empty())
      << "pollers per type";

  clock.Advance(absl::Minutes(6));
  described = *host.Describe(queue, false);
  EXPECT_TRUE(described.pollers.empty()) << "not polled for five minutes";
  EXPECT_EQ(described.stats.add_rate, 0);
  EXPECT_EQ(described.stats.backlog_count, 3);
  host.Shutdown();
}

}  // namespace
}  // namespace zaman::matching
